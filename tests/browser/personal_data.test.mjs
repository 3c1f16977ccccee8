// Personal data, as a resident meets it in a browser without JavaScript: the privacy notice from
// the footer, the registration form asking for explicit consent before keeping answers about
// ethnic group and disability (and keeping everything typed when the box is not ticked), the
// confirmation link mailed through the SMTP server scripts/test starts, the account page before and
// after, and the delete page. axe-core checks each of those pages at 360 and 1280 px.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  NARROW,
  PASSWORD,
  WIDE,
  assertNoViolations,
  openPage,
  signIn,
  visit,
  waitForMail,
  watchForErrors,
  withHeardAndBrowser,
} from './support.mjs';

let server;
let browser;

withHeardAndBrowser((started) => ({ server, browser } = started), { mail: true });

describe('A resident reads the privacy notice, registers with consent and confirms their address, without JavaScript', () => {
  const stamp = Date.now();
  const email = `noor-${stamp}@example.org`;
  let page;
  let confirmPath;
  const problems = [];

  it('every page links the privacy notice, which names its lawful basis and the ICO', async () => {
    ({ page } = await openPage(browser, { javaScriptEnabled: false }));
    problems.push(watchForErrors(page));
    await visit(page, server.url('/'));
    await page.getByRole('contentinfo').getByRole('link', { name: 'Privacy notice' }).click();
    await page.waitForURL((url) => url.pathname === '/privacy');
    const text = await page.locator('main').innerText();
    assert.match(text, /This is a demonstration of heard/);
    assert.match(text, /public task \(UK GDPR Article 6\(1\)\(e\)\)/);
    assert.match(text, /explicit consent \(UK GDPR Article 9\(2\)\(a\)\)/);
    assert.match(text, /Information Commissioner's Office/);
  });

  it('answers about ethnic group without the box ticked are not kept, and nothing typed is lost', async () => {
    await visit(page, server.url('/register'));
    await page.getByLabel('Display name').fill('Noor');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('radio', { name: 'Yes, I am 16 or over' }).check();
    await page.getByLabel('Which London borough do you live in?').selectOption('Hackney');
    await page.getByLabel('What is your ethnic group?').selectOption('White');
    await page.getByRole('button', { name: 'Register' }).click();
    const summary = page.getByRole('alert');
    assert.match(await summary.innerText(), /Tick the box to let us keep your answers about ethnic group and disability/);
    assert.equal(await page.getByLabel('Display name').inputValue(), 'Noor');
    assert.equal(await page.getByLabel('Email address').inputValue(), email);
    assert.equal(await page.getByLabel('Which London borough do you live in?').inputValue(), 'Hackney');
    assert.equal(await page.getByLabel('What is your ethnic group?').inputValue(), 'White');
    assert.equal(await page.getByRole('checkbox', { name: /I consent/ }).isChecked(), false);
  });

  it('with the box ticked the account is made and a confirmation link is emailed', async () => {
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('checkbox', { name: /I consent/ }).check();
    await page.getByRole('button', { name: 'Register' }).click();
    assert.equal(await page.locator('h1').innerText(), 'Check your email');
    const [message] = await waitForMail(email);
    assert.match(message, /Subject: Confirm your email address/);
    const link = message.match(/http:\/\/127\.0\.0\.1:\d+\/account\/confirm\/\S+/);
    assert.ok(link, `a confirmation link in:\n${message}`);
    confirmPath = new URL(link[0]).pathname;
  });

  it('signed in before confirming, the account page says the address links nothing yet', async () => {
    await signIn(page, server, { email, password: PASSWORD }, '/account');
    const text = await page.locator('main').innerText();
    assert.match(text, /\(not confirmed\)/);
    assert.match(text, /Your email address is not confirmed/);
    assert.match(text, /You gave your consent on/);
    assert.ok(await page.getByRole('button', { name: 'Send the link again' }).isVisible());
  });

  it('the link opens a page with a button, and the button confirms the address', async () => {
    await visit(page, server.url(confirmPath));
    await page.getByRole('button', { name: 'Confirm my email address' }).click();
    assert.equal(await page.locator('h1').innerText(), 'Your email address is confirmed');
    await visit(page, server.url('/account'));
    assert.match(await page.locator('main').innerText(), /\(confirmed on /);
  });

  for (const viewport of [WIDE, NARROW]) {
    it(`the privacy notice, registration, confirmation, account and delete pages pass axe-core at ${viewport.width} px`, async () => {
      const { context, page: a } = await openPage(browser, { viewport, bypassCSP: true });
      try {
        const check = (where) => assertNoViolations(a, `${where} at ${viewport.width} px`);
        await visit(a, server.url('/privacy'));
        await check('privacy notice');
        await visit(a, server.url('/register'));
        await check('register');
        await a.getByLabel('Do you consider yourself to be disabled?').selectOption('Yes');
        await a.getByRole('button', { name: 'Register' }).click();
        await check('register, consent not given');
        // A fresh account, to see the unconfirmed account page and the confirmation page.
        const other = `other-${viewport.width}-${stamp}@example.org`;
        await visit(a, server.url('/register'));
        await a.getByLabel('Display name').fill('Other');
        await a.getByLabel('Email address').fill(other);
        await a.getByLabel('Password').fill(PASSWORD);
        await a.getByRole('radio', { name: 'Yes, I am 16 or over' }).check();
        await a.getByRole('button', { name: 'Register' }).click();
        await check('check your email');
        const [message] = await waitForMail(other);
        const path = new URL(message.match(/http:\/\/127\.0\.0\.1:\d+\/account\/confirm\/\S+/)[0]).pathname;
        await visit(a, server.url(path));
        await check('confirm your email address');
        await signIn(a, server, { email: other, password: PASSWORD }, '/account');
        await check('account, address not confirmed');
        await visit(a, server.url('/account/delete'));
        await check('delete your account');
        await a.getByRole('button', { name: 'Delete my account' }).click();
        await check('delete your account, password missing');
        await visit(a, server.url(path));
        await a.getByRole('button', { name: 'Confirm my email address' }).click();
        await check('address confirmed');
      } finally {
        await context.close();
      }
    });
  }

  it('no page had a script error or a failed request', async () => {
    // The form shown again with its problem answers 422, which Chromium logs; nothing else may fail.
    const unexpected = problems.flat().filter((p) => !p.includes('status of 422'));
    assert.deepEqual(unexpected, []);
    await page?.context().close();
  });
});
