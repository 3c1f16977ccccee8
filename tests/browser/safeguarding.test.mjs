// Safeguarding, as a resident and a moderator meet it in a browser without JavaScript: a comment
// suggesting someone is at risk is held, its author reads why and who to call, the discussion shows
// it to its author only; the moderator finds it first in the queue, is stopped with a clear error
// when a reason is missing (keeping what was chosen), and publishes it. axe-core checks the held
// page, the queue and the comment's page at 360 and 1280 px.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  NARROW,
  PARKS_DISCUSSION,
  PASSWORD,
  WIDE,
  assertNoViolations,
  createAccount,
  openPage,
  signIn,
  visit,
  withHeardAndBrowser,
} from './support.mjs';

let server;
let browser;

withHeardAndBrowser((started) => ({ server, browser } = started));

describe('A comment suggesting someone is at risk is held for a moderator', () => {
  const stamp = Date.now();
  const words = `the little girl upstairs gets left on her own all night and she cries for hours (${stamp})`;
  const resident = { role: 'resident', email: `rae-${stamp}@example.org`, name: 'Rae', password: PASSWORD };
  const moderator = { role: 'moderator', email: `mo-${stamp}@example.org`, name: 'Mo', password: PASSWORD };
  let author;
  let mo;

  it('its author is told at once that it waits for a moderator, why, and who to call', async () => {
    await createAccount(server.dataDir, resident);
    await createAccount(server.dataDir, moderator);
    ({ page: author } = await openPage(browser, { javaScriptEnabled: false }));
    await signIn(author, server, resident, PARKS_DISCUSSION);
    await author.getByLabel('Add your comment').fill(words);
    await author.getByRole('button', { name: 'Post comment' }).click();
    await author.waitForURL((url) => url.pathname.endsWith('/posted'));
    assert.equal(await author.locator('h1').innerText(), 'Your comment is waiting for a moderator');
    const text = await author.locator('main').innerText();
    assert.match(text, /Nobody else can see your comment yet/);
    assert.match(text, /may be at risk/);
    for (const number of ['999', '116 123', '0800 1111', '0808 800 5000', '0808 808 8141', '0808 2000 247']) {
      assert.ok(text.includes(number), `the page gives ${number}`);
    }
    await author.getByRole('link', { name: 'Back to the discussion' }).click();
    const mine = author.locator('article.comment').filter({ hasText: String(stamp) });
    assert.match(await mine.innerText(), /Only you can see this/);
  });

  it('nobody else sees it in the discussion', async () => {
    const { context, page } = await openPage(browser, { javaScriptEnabled: false });
    await visit(page, server.url(PARKS_DISCUSSION));
    assert.ok(!(await page.locator('main').innerText()).includes(String(stamp)));
    await context.close();
  });

  it('the moderator finds it first, needs a reason to publish it, and publishes it', async () => {
    ({ page: mo } = await openPage(browser, { javaScriptEnabled: false }));
    await signIn(mo, server, moderator, '/moderation');
    const current = mo.getByRole('navigation', { name: 'Which comments' }).locator('[aria-current="page"]');
    assert.match(await current.innerText(), /^Safeguarding \(\d+\)$/);
    const item = mo.locator('.queue-item').filter({ hasText: String(stamp) });
    assert.match(await item.innerText(), /Held by the checks/);
    await item.getByRole('link', { name: 'Decide on this comment by Rae' }).click();
    await mo.getByRole('radio', { name: /Publish or restore it/ }).check();
    await mo.getByRole('button', { name: 'Apply to this comment' }).click();
    assert.match(await mo.getByRole('alert').innerText(), /Say why you publish or restore it/);
    assert.ok(await mo.getByRole('radio', { name: /Publish or restore it/ }).isChecked(), 'the choice is kept');
    await mo.getByLabel('Reason, for the moderation log').fill('Checked with the safeguarding lead');
    await mo.getByRole('button', { name: 'Apply to this comment' }).click();
    assert.match(await mo.getByRole('status').innerText(), /published/);
    const { context, page } = await openPage(browser, { javaScriptEnabled: false });
    await visit(page, server.url(PARKS_DISCUSSION));
    assert.ok((await page.locator('main').innerText()).includes(String(stamp)), 'published now');
    await context.close();
  });
});

for (const viewport of [WIDE, NARROW]) {
  describe(`Accessibility of the safeguarding pages (axe-core, WCAG 2.2 AA) at ${viewport.width} px`, () => {
    const check = (page, where) => assertNoViolations(page, `${where} at ${viewport.width} px`);

    it('the held page, the queue and a comment\'s page, with and without errors, have no violations', async () => {
      const w = viewport.width;
      const resident = { role: 'resident', email: `held-${w}@example.org`, name: `Held ${w}`, password: PASSWORD };
      const moderator = { role: 'moderator', email: `queue-${w}@example.org`, name: `Queue ${w}`, password: PASSWORD };
      await createAccount(server.dataDir, resident);
      await createAccount(server.dataDir, moderator);
      const author = await openPage(browser, { viewport, bypassCSP: true });
      const mo = await openPage(browser, { viewport, bypassCSP: true });
      try {
        await signIn(author.page, server, resident, PARKS_DISCUSSION);
        await author.page.getByLabel('Add your comment').fill(`i cant cope anymore, everyone would be better off without me (${w})`);
        await author.page.getByRole('button', { name: 'Post comment' }).click();
        await author.page.waitForURL((url) => url.pathname.endsWith('/posted'));
        await check(author.page, 'comment held for a moderator');
        await visit(author.page, server.url(PARKS_DISCUSSION));
        await check(author.page, 'discussion with a held comment, to its author');
        await signIn(mo.page, server, moderator, '/moderation');
        await check(mo.page, 'moderation queue, safeguarding tab');
        await mo.page.getByRole('button', { name: 'Apply to the selected comments' }).click();
        await check(mo.page, 'moderation queue with errors');
        await visit(mo.page, server.url('/moderation'));
        await mo.page.locator('.queue-item').filter({ hasText: `(${w})` }).getByRole('link', { name: /^Decide on this comment/ }).click();
        await check(mo.page, 'one comment, for moderators');
        await mo.page.getByRole('button', { name: 'Apply to this comment' }).click();
        await check(mo.page, 'one comment with an error');
      } finally {
        await author.context.close();
        await mo.context.close();
      }
    });
  });
}
