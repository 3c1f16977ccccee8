// The back office and events, in a browser without JavaScript: a host creates a consultation (a
// mistake first, put right with nothing lost), publishes it after a page saying what becomes
// public, and it appears on the home page; a
// resident registers interest in an event with one click, a visitor without an account with their
// name and email. Then axe-core checks every page this added, public and staff, at both widths.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  NARROW,
  PARKS,
  PASSWORD,
  POLICE_PLAN,
  WIDE,
  assertNoViolations,
  createAccount,
  openPage,
  signIn,
  visit,
  watchForErrors,
  withHeardAndBrowser,
} from './support.mjs';

const HOST = { role: 'host', email: 'hana@example.org', name: 'Hana the host', password: PASSWORD };
const RESIDENT = { role: 'resident', email: 'remi@example.org', name: 'Remi', password: PASSWORD };
const SLUG = `library-hours-${Date.now()}`;
const TITLE = 'Library opening hours';

let server;
let browser;

withHeardAndBrowser((started) => ({ server, browser } = started));

// "YYYY-MM-DD", `days` from today (the server runs on the same clock).
function isoDay(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

async function fillConsultation(page, { opens, closes }) {
  await page.getByLabel('Web address').fill(SLUG);
  await page.getByLabel('Title', { exact: true }).fill(TITLE);
  await page.getByLabel('Summary', { exact: true }).fill('We want to keep the libraries open later.\nTell us when you would use them.');
  await page.getByLabel('Organisation', { exact: true }).fill('Demo City Council');
  await page.getByLabel('What to call the people who respond').fill('residents');
  await page.getByLabel('Opens on').fill(opens);
  await page.getByLabel('Closes on').fill(closes);
  await page.getByLabel('Objectives and their commitments').fill('Longer hours\n- Open until 8pm on weekdays\n- Open on Sunday afternoons');
  await page.getByLabel('Timeline', { exact: true }).fill(`${opens} | Consultation opens\n${closes} | Consultation closes`);
  await page.getByLabel('Discussions', { exact: true }).fill(`when-would-you-come | When would you come? | ${opens} | ${closes}\nTell us when the library would be useful to you.\n- Which hours suit you?`);
}

describe('A host creates and publishes a consultation; residents register for events, without JavaScript', () => {
  const problems = [];
  let hana;

  it('a mistake in the form is named beside its field, and nothing typed is lost', async () => {
    await createAccount(server.dataDir, HOST);
    ({ page: hana } = await openPage(browser, { javaScriptEnabled: false }));
    problems.push(watchForErrors(hana));
    await signIn(hana, server, HOST, '/admin/consultations');
    await hana.getByRole('link', { name: 'Create a consultation' }).click();
    await fillConsultation(hana, { opens: isoDay(-1), closes: isoDay(-10) });
    await hana.getByRole('button', { name: 'Save the draft' }).click();
    const summary = hana.getByRole('alert');
    assert.match(await summary.innerText(), /The closing date must be on or after the opening date\./);
    assert.equal(await hana.locator('#closes_on-error').isVisible(), true);
    assert.equal(await hana.getByLabel('Title', { exact: true }).inputValue(), TITLE);
    assert.match(await hana.getByLabel('Discussions', { exact: true }).inputValue(), /- Which hours suit you\?/);
  });

  it('put right, it is saved as a draft the public cannot see', async () => {
    await hana.getByLabel('Closes on').fill(isoDay(30));
    await hana.getByLabel('Discussions', { exact: true }).fill(`when-would-you-come | When would you come? | ${isoDay(-1)} | ${isoDay(30)}\nTell us when the library would be useful to you.\n- Which hours suit you?`);
    await hana.getByRole('button', { name: 'Save the draft' }).click();
    await hana.waitForURL((url) => url.pathname === `/admin/consultations/${SLUG}`);
    assert.equal(await hana.locator('.page-head .stage').innerText(), 'Draft');
    const { context, page } = await openPage(browser, { javaScriptEnabled: false });
    await visit(page, server.url('/'));
    assert.ok(!(await page.locator('main').innerText()).includes(TITLE), 'a draft is not on the home page');
    await visit(page, server.url(`/consultations/${SLUG}`), { status: 404 });
    await context.close();
  });

  it('published, it is open by its dates and appears on the home page', async () => {
    // The hub's button leads to a page saying what becomes public; its button publishes.
    await hana.getByRole('link', { name: 'Publish…' }).click();
    await hana.waitForURL((url) => url.pathname === `/admin/consultations/${SLUG}/publish`);
    assert.equal(await hana.locator('h1').innerText(), 'Publish this consultation?');
    assert.match(await hana.locator('main').innerText(), new RegExp(`Its page at /consultations/${SLUG}`));
    await hana.getByRole('button', { name: 'Publish' }).click();
    await hana.waitForURL((url) => url.pathname === `/admin/consultations/${SLUG}`);
    assert.equal(await hana.locator('.page-head .stage').innerText(), 'Open');
    assert.match(await hana.locator('table').innerText(), /Published the consultation/);
    const { context, page } = await openPage(browser, { javaScriptEnabled: false });
    await visit(page, server.url('/'));
    const open = page.getByRole('region', { name: 'Open now' });
    await open.getByRole('link', { name: TITLE }).click();
    await page.waitForURL((url) => url.pathname === `/consultations/${SLUG}`);
    assert.match(await page.locator('main').innerText(), /Open until/);
    await context.close();
  });

  it('a resident registers interest in an event with one click, only once, and can give the place back', async () => {
    await createAccount(server.dataDir, RESIDENT);
    const { page } = await openPage(browser, { javaScriptEnabled: false });
    problems.push(watchForErrors(page));
    await signIn(page, server, RESIDENT, PARKS);
    await page.getByRole('link', { name: 'See the events and register your interest' }).click();
    await page.waitForURL((url) => url.pathname === `${PARKS}/events`);
    const walk = page.getByRole('article', { name: /Evening walk/ });
    assert.match(await walk.innerText(), /25 places, 25 left/);
    await walk.getByRole('button', { name: /Register interest in Evening walk/ }).click();
    assert.equal(await page.locator('h1').innerText(), 'You have registered your interest');
    await page.getByRole('link', { name: 'Back to the events' }).click();
    const again = page.getByRole('article', { name: /Evening walk/ });
    assert.match(await again.innerText(), /You have registered your interest in this event\./);
    assert.match(await again.innerText(), /25 places, 24 left/);
    await again.getByRole('button', { name: /Cancel my place at Evening walk/ }).click();
    assert.equal(await page.locator('h1').innerText(), 'Your place is cancelled');
    await page.getByRole('link', { name: 'Back to the events' }).click();
    const freed = page.getByRole('article', { name: /Evening walk/ });
    assert.match(await freed.innerText(), /25 places, 25 left/);
    await freed.getByRole('button', { name: /Register interest in Evening walk/ }).click();
    assert.equal(await page.locator('h1').innerText(), 'You have registered your interest');
  });

  it('a visitor without an account registers with a name and an email address', async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await visit(page, server.url(`${PARKS}/events`));
    await page.getByRole('link', { name: /Register interest in Online: questions/ }).click();
    await page.getByLabel('Your name').fill('Vic');
    await page.getByRole('button', { name: 'Register interest' }).click();
    assert.match(await page.getByRole('alert').innerText(), /Enter your email address/);
    assert.equal(await page.getByLabel('Your name').inputValue(), 'Vic');
    await page.getByLabel('Email address').fill('vic@example.org');
    await page.getByRole('button', { name: 'Register interest' }).click();
    assert.equal(await page.locator('h1').innerText(), 'You have registered your interest');
    await context.close();
    // Forms shown again with their problems answer 422, which the browser logs; nothing else may fail.
    const unexpected = problems.flat().filter((p) => !p.includes('status of 422'));
    assert.deepEqual(unexpected, [], 'no console errors or failed requests');
  });
});

for (const viewport of [WIDE, NARROW]) {
  describe(`Accessibility of the back office and events pages (axe-core, WCAG 2.2 AA) at ${viewport.width} px`, () => {
    const check = (page, where) => assertNoViolations(page, `${where} at ${viewport.width} px`);

    it('every new page, and every form shown again with its errors, has no violations', async () => {
      const host = { ...HOST, email: `hana-${viewport.width}@example.org` };
      await createAccount(server.dataDir, host);
      const staff = await openPage(browser, { viewport, bypassCSP: true });
      const anonymous = await openPage(browser, { viewport, bypassCSP: true });
      try {
        const s = staff.page;
        const a = anonymous.page;
        await signIn(s, server, host, '/admin/consultations');
        // Public pages: events of the open and of the closed consultation, the register form.
        for (const path of [`${PARKS}/events`, `${POLICE_PLAN}/events`, PARKS]) {
          await visit(a, server.url(path));
          await check(a, path);
        }
        await visit(a, server.url(`${PARKS}/events`));
        await a.getByRole('link', { name: /Register interest in Online: questions/ }).click();
        await check(a, 'register interest (name and email)');
        await a.getByRole('button', { name: 'Register interest' }).click();
        await check(a, 'register interest with errors');
        await visit(s, server.url(`${PARKS}/events`));
        await check(s, 'events page signed in');
        // Staff pages.
        for (const path of ['/admin/consultations', '/admin/consultations/new', `/admin/consultations/${POLICE_PLAN.split('/').pop()}`,
          `/admin/consultations/${POLICE_PLAN.split('/').pop()}/edit`, `/admin/consultations/${POLICE_PLAN.split('/').pop()}/events`]) {
          await visit(s, server.url(path));
          await check(s, path);
        }
        await visit(s, server.url('/admin/consultations/new'));
        await s.getByRole('button', { name: 'Save the draft' }).click();
        await check(s, 'new consultation with errors');
        const parksAdmin = `/admin/consultations/${PARKS.split('/').pop()}`;
        // "Close now" asks first; the page is checked, and the consultation left open.
        await visit(s, server.url(`${parksAdmin}/close`));
        assert.equal(await s.locator('h1').innerText(), 'Close this consultation now?');
        await check(s, 'close now: the confirmation');
        await visit(s, server.url(`${parksAdmin}/events/new`));
        await check(s, 'add an event');
        await s.getByRole('button', { name: 'Add the event' }).click();
        await check(s, 'add an event with errors');
        await visit(s, server.url(`${parksAdmin}/events`));
        await s.getByRole('link', { name: /Evening walk/ }).click();
        await check(s, 'an event to come: registrations, no notes yet');
        // An event that has happened, added through the form, takes notes of what was said.
        await visit(s, server.url(`${parksAdmin}/events/new`));
        await s.getByLabel('Title').fill(`Drop-in at the park cafe (${viewport.width})`);
        await s.getByRole('radio', { name: 'In person' }).check();
        await s.getByLabel('Date').fill(isoDay(-3));
        await s.getByLabel('Starts at').fill('10:00');
        await s.getByLabel('Ends at').fill('12:00');
        await s.getByLabel('Venue (in person)').fill('The park cafe\nRiverside Park');
        await s.getByLabel('Places').fill('30');
        await s.getByRole('button', { name: 'Add the event' }).click();
        await s.waitForURL((url) => /\/events\/\d+$/.test(url.pathname));
        await check(s, 'an event that has happened: the notes form');
        await s.getByRole('button', { name: 'Put the note in the register' }).click();
        await check(s, 'notes with an error');
        await s.getByRole('textbox', { name: 'Notes', exact: true }).first().fill(`The path by the lake needs lights (${viewport.width}).`);
        await s.getByRole('button', { name: 'Put the note in the register' }).click();
        await s.waitForURL((url) => url.search.includes('recorded=1'));
        assert.match(await s.locator('#notes').innerText(), /The path by the lake needs lights/);
        await check(s, 'an event with a note recorded');
        await s.getByRole('link', { name: 'Edit the event' }).click();
        await check(s, 'edit an event');
      } finally {
        await staff.context.close();
        await anonymous.context.close();
      }
    });
  });
}
