// Withdrawing what was published, in a browser without JavaScript: an administrator withdraws a
// consultation through its confirmation page (a missing reason named first, nothing typed lost),
// and its address then says plainly that it was withdrawn. The confirmation pages for withdrawing
// results and for putting an analysis in the results (what nobody checked, reviewed themes only)
// are checked too. axe-core runs on each at 360 px and 1280 px.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  NARROW,
  PASSWORD,
  POLICE_PLAN,
  TRANSPORT,
  WIDE,
  assertNoViolations,
  createAccount,
  openPage,
  signIn,
  visit,
  watchForErrors,
  withHeardAndBrowser,
} from './support.mjs';

const ADMIN = { role: 'admin', email: 'ada@example.org', name: 'Ada the administrator', password: PASSWORD };
const TRANSPORT_HUB = `/admin${TRANSPORT}`;
const POLICE_HUB = `/admin${POLICE_PLAN}`;

let server;
let browser;

withHeardAndBrowser((started) => ({ server, browser } = started));

// Checks the page at `url` with axe-core at both widths, signed in as the administrator.
async function checkAtBothWidths(url, { status = 200, prepare } = {}) {
  for (const viewport of [NARROW, WIDE]) {
    // axe-core is a script: these contexts run it (the pages themselves have none).
    const { context, page } = await openPage(browser, { viewport, bypassCSP: true });
    await signIn(page, server, ADMIN, '/account');
    if (prepare) await prepare(page);
    else await visit(page, server.url(url), { status });
    await assertNoViolations(page, `${url} at ${viewport.width} px`);
    await context.close();
  }
}

describe('An administrator withdraws what was published, without JavaScript', () => {
  it('withdraws a consultation after its confirmation page, and its address says so', async () => {
    await createAccount(server.dataDir, ADMIN);
    const { context, page } = await openPage(browser, { javaScriptEnabled: false });
    const problems = watchForErrors(page);
    await signIn(page, server, ADMIN, TRANSPORT_HUB);
    await page.getByRole('link', { name: 'Withdraw the consultation…' }).click();
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Withdraw this consultation?');
    await page.getByRole('button', { name: 'Withdraw the consultation' }).click();
    assert.match(await page.getByRole('alert').innerText(), /Say why/);
    await page.getByLabel('Why?').fill('Replaced by the new transport strategy');
    await page.getByRole('button', { name: 'Withdraw the consultation' }).click();
    await page.waitForURL((url) => url.pathname === TRANSPORT_HUB);
    assert.equal(await page.locator('.page-head .stage').innerText(), 'Withdrawn');
    assert.match(await page.locator('table').innerText(), /Withdrew the consultation: Replaced by the new transport strategy/);
    // The form shown again without a reason answers 422, which the browser logs; nothing else may fail.
    assert.deepEqual(problems.filter((p) => !p.includes('status of 422')), []);
    await context.close();

    const visitor = await openPage(browser, { viewport: NARROW, javaScriptEnabled: false });
    await visit(visitor.page, server.url('/'));
    assert.ok(!(await visitor.page.locator('main').innerText()).includes('Draft Local Transport Plan'), 'left the lists');
    await visit(visitor.page, server.url(TRANSPORT), { status: 410 });
    assert.match(await visitor.page.getByRole('heading', { level: 1 }).innerText(), /has been withdrawn$/);
    assert.match(await visitor.page.locator('main').innerText(), /withdrew this consultation on \d+ \w+ \d{4}/);
    await visitor.context.close();
  });

  it('the confirmation pages and the withdrawn page are accessible at both widths', async () => {
    await checkAtBothWidths(`${TRANSPORT}`, { status: 410 });
    await checkAtBothWidths(`${POLICE_HUB}/withdraw-results`);
    await checkAtBothWidths(`${POLICE_HUB}/withdraw`, {
      // The page as it comes back without a reason.
      prepare: async (page) => {
        await visit(page, server.url(`${POLICE_HUB}/withdraw`));
        await page.getByRole('button', { name: 'Withdraw the consultation' }).click();
        await page.getByRole('alert').waitFor();
      },
    });
    // The demo keeps its discovery run out of the results: its confirmation page says what would
    // become public and what nobody has checked.
    const { context, page } = await openPage(browser, { javaScriptEnabled: false });
    await signIn(page, server, ADMIN, `${POLICE_HUB}/analysis`);
    let publishUrl;
    for (const href of await page.locator('a[href*="/analysis/runs/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
      await visit(page, server.url(`${href}/publish`));
      if ((await page.getByRole('heading', { level: 1 }).innerText()) === 'Put this analysis in the results?') {
        publishUrl = `${href}/publish`;
        break;
      }
    }
    assert.ok(publishUrl, 'an unpublished run has a confirmation page');
    assert.match(await page.locator('main').innerText(), /texts read; \d+ of them reviewed\./);
    assert.match(await page.locator('main').innerText(), /a stance line read by the engine and not checked by staff/);
    await context.close();
    await checkAtBothWidths(publishUrl);
  });
});
