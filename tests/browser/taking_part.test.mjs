// Taking part, as residents and a moderator do it in a browser without JavaScript (heard needs
// none): register, comment (with a phone number in it, which the checks hold back until it is
// taken out), reply, agree, report; the moderator hides the comment with a reason, and everyone
// then sees "Removed by a moderator". Then axe-core checks every page this added, signed out and
// signed in, at both widths.

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
  watchForErrors,
  withHeardAndBrowser,
} from './support.mjs';

const MODERATOR = { role: 'moderator', email: 'mo@example.org', name: 'Mo the moderator', password: PASSWORD };
const ADMIN = { role: 'admin', email: 'ada@example.org', name: 'Ada the admin', password: PASSWORD };

let server;
let browser;

withHeardAndBrowser((started) => ({ server, browser } = started));

async function register(page, { name, email }) {
  await visit(page, server.url(PARKS_DISCUSSION));
  await page.getByRole('link', { name: 'register', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/register');
  await page.getByLabel('Display name').fill(name);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('radio', { name: 'Yes, I am 16 or over' }).check();
  await page.getByLabel('Which London borough do you live in?').selectOption('Lambeth');
  await page.getByLabel('How old are you?').selectOption('Prefer not to say');
  await page.getByRole('button', { name: 'Register' }).click();
  await page.waitForURL((url) => url.pathname === PARKS_DISCUSSION);
}

const comment = (page, text) => page.locator('article.comment').filter({ hasText: text }).first();

describe('Residents take part and a moderator hides a comment, without JavaScript', () => {
  const stamp = Date.now();
  const first = `The towpath needs lights after dark (${stamp}).`;
  const withPhone = `${first} Call me on 07700 900123.`;
  const reply = `Yes, and the gate by the canal should stay open later (${stamp}).`;
  let alice;
  let bob;
  let mo;
  const problems = [];

  it('a resident registers from the discussion and comes back to it signed in', async () => {
    await createAccount(server.dataDir, MODERATOR);
    ({ page: alice } = await openPage(browser, { javaScriptEnabled: false }));
    problems.push(watchForErrors(alice));
    await register(alice, { name: 'Alice', email: `alice-${stamp}@example.org` });
    assert.ok(await alice.getByLabel('Add your comment').isVisible(), 'the comment form shows once signed in');
    assert.match(await alice.getByRole('navigation', { name: 'Your account' }).innerText(), /Sign out/);
  });

  it('a form with a problem says what is wrong and keeps what was typed', async () => {
    await visit(alice, server.url('/register'));
    await alice.getByLabel('Display name').fill('Someone');
    await alice.getByLabel('Email address').fill('not an email');
    await alice.getByRole('button', { name: 'Register' }).click();
    const summary = alice.getByRole('alert');
    assert.match(await summary.innerText(), /Enter an email address like name@example.com/);
    assert.match(await summary.innerText(), /Tell us whether you are 16 or over/);
    assert.equal(await alice.getByLabel('Display name').inputValue(), 'Someone');
    assert.equal(await alice.getByLabel('Email address').inputValue(), 'not an email');
  });

  it('her comment has a phone number in it: it is held back, with the number marked', async () => {
    await visit(alice, server.url(PARKS_DISCUSSION));
    await alice.getByLabel('Add your comment').fill(withPhone);
    await alice.getByRole('button', { name: 'Post comment' }).click();
    assert.equal(await alice.locator('h1').innerText(), 'Check your comment before it is posted');
    assert.match(await alice.locator('main').innerText(), /We found a phone number in what you wrote\./);
    const mark = alice.locator('.checked-text mark');
    assert.equal(await mark.count(), 1);
    // What a screen reader hears: the number, then what kind of detail it is.
    assert.equal(await mark.textContent(), '07700 900123 (phone number)');
    assert.equal(await mark.locator('.visually-hidden').textContent(), ' (phone number)');
    assert.equal(await alice.locator('.checked-text').textContent(), withPhone.replace('07700 900123', '07700 900123 (phone number)'));
  });

  it('"Edit my comment" gives the text back in the form, and posting it unchanged holds it back again', async () => {
    await alice.getByRole('button', { name: 'Edit my comment' }).click();
    assert.equal(await alice.getByLabel('Your comment').inputValue(), withPhone);
    assert.match(await alice.locator('#to-remove').innerText(), /“07700 900123” \(phone number\)/);
    await alice.getByRole('button', { name: 'Post comment' }).click();
    assert.equal(await alice.locator('h1').innerText(), 'Check your comment before it is posted');
  });

  it('she posts it with the number removed, and it shows at the top of the discussion', async () => {
    await alice.getByRole('button', { name: 'Post with these parts removed' }).click();
    await alice.waitForURL((url) => url.pathname === PARKS_DISCUSSION);
    assert.ok(await comment(alice, first).isVisible());
    assert.equal(await comment(alice, first).locator('.author').innerText(), 'Alice');
    const text = await comment(alice, first).locator('.comment-body').innerText();
    assert.match(text, /Call me on \[phone number removed\]\./);
    assert.ok(!(await alice.locator('main').innerText()).includes('07700 900123'), 'the number is nowhere on the page');
  });

  it('another resident replies, and the reply sits under the comment', async () => {
    ({ page: bob } = await openPage(browser, { javaScriptEnabled: false }));
    problems.push(watchForErrors(bob));
    await register(bob, { name: 'Bob', email: `bob-${stamp}@example.org` });
    const parent = comment(bob, first);
    await parent.locator('details.reply summary').click();
    await parent.getByLabel('Your reply to Alice').fill(reply);
    await parent.getByRole('button', { name: 'Post reply' }).click();
    await bob.waitForURL((url) => url.pathname === PARKS_DISCUSSION);
    const replies = bob.getByRole('list', { name: 'Replies to Alice' });
    assert.match(await replies.innerText(), /the gate by the canal/);
  });

  it('he agrees with it, once', async () => {
    const agree = comment(bob, first).getByRole('button', { name: 'Agree with Alice' });
    assert.equal(await agree.getAttribute('aria-pressed'), 'false');
    await agree.click();
    await bob.waitForURL((url) => url.pathname === PARKS_DISCUSSION);
    assert.equal(await comment(bob, first).getByRole('button', { name: 'Agree with Alice' }).getAttribute('aria-pressed'), 'true');
    assert.match(await comment(bob, first).locator('.agreements').innerText(), /^1 person agrees$/);
  });

  it('he reports it as breaking a guideline', async () => {
    await comment(bob, first).getByRole('link', { name: 'Report the comment by Alice' }).click();
    await bob.waitForURL((url) => url.pathname.endsWith('/report'));
    await bob.getByRole('button', { name: 'Send report' }).click();
    assert.match(await bob.getByRole('alert').innerText(), /Choose the guideline the comment breaks/);
    await bob.getByRole('radio', { name: 'Stay on topic' }).check();
    await bob.getByRole('button', { name: 'Send report' }).click();
    assert.equal(await bob.locator('h1').innerText(), 'Thank you for your report');
  });

  it('the moderator finds it in the queue and hides it with a reason', async () => {
    ({ page: mo } = await openPage(browser, { javaScriptEnabled: false }));
    problems.push(watchForErrors(mo));
    await signIn(mo, server, MODERATOR, '/moderation');
    await mo.getByRole('link', { name: /^Reported \(\d+\)$/ }).click();
    const item = mo.locator('.queue-item').filter({ hasText: first });
    assert.match(await item.innerText(), /Reported 1 time: Stay on topic \(1\)/);
    await item.getByRole('checkbox', { name: 'Select the comment by Alice' }).check();
    await mo.getByRole('radio', { name: 'Hide them' }).check();
    await mo.getByLabel('Guideline broken').selectOption({ label: 'Stay on topic' });
    await mo.getByLabel('Reason, for the moderation log').fill('Off topic for this discussion');
    await mo.getByRole('button', { name: 'Apply to the selected comments' }).click();
    assert.equal(await mo.getByRole('status').innerText(), '1 comment hidden.');
    await visit(mo, server.url('/moderation/log'));
    assert.match(await mo.locator('table.log').innerText(), /Hid a comment[\s\S]*Stay on topic: Off topic for this discussion/);
  });

  it('everyone now sees that a moderator removed it, and why; the reply stays', async () => {
    const { context, page } = await openPage(browser, { javaScriptEnabled: false });
    await visit(page, server.url(PARKS_DISCUSSION));
    const body = await page.locator('main').innerText();
    assert.ok(!body.includes(first), 'the hidden words are not shown');
    assert.match(body, /Removed by a moderator: Stay on topic/);
    assert.match(body, /the gate by the canal/);
    await context.close();
    // A form shown again with its errors answers 422, which the browser logs; nothing else may fail.
    const unexpected = problems.flat().filter((p) => !p.includes('status of 422'));
    assert.deepEqual(unexpected, [], 'no console errors or failed requests');
  });
});

// Every page this issue added, as the right person sees it.
const NEW_PAGES = [
  { name: 'register', path: '/register', who: null },
  { name: 'sign in', path: '/login', who: null },
  { name: 'password reset (not set up in the demo)', path: '/password-reset', who: null },
  { name: 'discussion, signed in, with the forms', path: PARKS_DISCUSSION, who: 'admin', openReplies: true },
  { name: 'your account', path: '/account', who: 'admin' },
  { name: 'delete your account', path: '/account/delete', who: 'admin' },
  { name: 'moderation queue', path: '/moderation?filter=all', who: 'admin' },
  { name: 'moderation log', path: '/moderation/log', who: 'admin' },
  { name: 'admin: accounts and roles', path: '/admin', who: 'admin' },
];

for (const viewport of [WIDE, NARROW]) {
  describe(`Accessibility of the taking-part pages (axe-core, WCAG 2.2 AA) at ${viewport.width} px`, () => {
    const check = (page, where) => assertNoViolations(page, `${where} at ${viewport.width} px`);

    it('every new page, and every form shown again with its errors, has no violations', async () => {
      await createAccount(server.dataDir, { ...ADMIN, email: `ada-${viewport.width}@example.org` }).catch(() => {});
      const anonymous = await openPage(browser, { viewport, bypassCSP: true });
      const admin = await openPage(browser, { viewport, bypassCSP: true });
      try {
        await signIn(admin.page, server, { email: `ada-${viewport.width}@example.org`, password: PASSWORD });
        for (const { name, path, who, openReplies } of NEW_PAGES) {
          const page = who ? admin.page : anonymous.page;
          await visit(page, server.url(path));
          if (openReplies) {
            // Post one comment so there is something to reply to, agree with and pin.
            await page.getByLabel('Add your comment').fill(`A comment to check (${viewport.width})`);
            await page.getByRole('button', { name: 'Post comment' }).click();
            await page.waitForURL((url) => url.pathname === PARKS_DISCUSSION);
            await page.locator('details.reply, details.full-comment').evaluateAll((all) => all.forEach((d) => { d.open = true; }));
          }
          await check(page, `${name} (${path})`);
        }
        const a = admin.page;
        // Forms shown again with their problems.
        await visit(anonymous.page, server.url('/register'));
        await anonymous.page.getByRole('button', { name: 'Register' }).click();
        await check(anonymous.page, 'register with errors');
        await visit(anonymous.page, server.url('/login'));
        await anonymous.page.getByRole('button', { name: 'Sign in' }).click();
        await check(anonymous.page, 'sign in with an error');
        await visit(anonymous.page, server.url('/register'));
        await anonymous.page.getByRole('radio', { name: 'No, I am under 16' }).check();
        await anonymous.page.getByRole('button', { name: 'Register' }).click();
        await check(anonymous.page, 'the kind refusal for under-16s');
        // The comment's own pages: edit, delete, report (on someone else's), and an empty post.
        await visit(a, server.url(PARKS_DISCUSSION));
        const mine = a.locator('article.comment').filter({ hasText: `A comment to check (${viewport.width})` }).first();
        await mine.getByRole('link', { name: 'Edit your comment' }).click();
        await check(a, 'edit your comment');
        await a.getByLabel('Your comment').fill('');
        await a.getByRole('button', { name: 'Save changes' }).click();
        await check(a, 'edit with an error');
        await visit(a, server.url(PARKS_DISCUSSION));
        await a.locator('article.comment').filter({ hasText: `A comment to check (${viewport.width})` }).first().getByRole('link', { name: 'Delete your comment' }).click();
        await check(a, 'delete your comment');
        await visit(a, server.url(PARKS_DISCUSSION));
        await a.getByRole('link', { name: /^Report the comment by/ }).first().click();
        await check(a, 'report a comment');
        await a.getByRole('button', { name: 'Send report' }).click();
        await check(a, 'report with an error');
        // The checks before posting: the text held back with its personal details marked, the
        // form to edit it again, and the guidance after posting words about a crime and a risk.
        await visit(a, server.url(PARKS_DISCUSSION));
        await a.getByLabel('Add your comment').fill('Email me at ada@example.org or ring 020 7946 0018. Last night someone broke into my car.');
        await a.getByRole('button', { name: 'Post comment' }).click();
        assert.equal(await a.locator('.checked-text mark').count(), 2);
        await check(a, 'personal details found before posting');
        await a.getByRole('button', { name: 'Edit my comment' }).click();
        await check(a, 'editing a comment held back');
        await a.getByLabel('Your comment').fill(`I have been feeling really suicidal lately. Last night someone broke into my car (${viewport.width}).`);
        await a.getByRole('button', { name: 'Post comment' }).click();
        await a.waitForURL((url) => url.pathname.endsWith('/posted'));
        assert.match(await a.locator('main').innerText(), /waiting for a moderator[\s\S]*Samaritans[\s\S]*call 101/);
        await check(a, 'held for a moderator, with the support numbers and the police guidance');
        // The queue with its errors, and a member's page.
        await visit(a, server.url('/moderation?filter=all'));
        await a.getByRole('button', { name: 'Apply to the selected comments' }).click();
        await check(a, 'moderation queue with errors');
        await a.locator('.queue-item a', { hasText: /^About / }).first().click();
        await check(a, 'a member, for moderators');
      } finally {
        await anonymous.context.close();
        await admin.context.close();
      }
    });
  });
}
