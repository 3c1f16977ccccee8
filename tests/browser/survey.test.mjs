// The survey in a browser: a resident answers the demo's open parks survey without JavaScript and
// with it (the follow-up "why do you disagree?" appears only for those who disagree; with
// JavaScript, the organisation's name only once "for an organisation" is chosen), gets a problem
// and fixes it, saves for later and sees the confirmation; staff read the Police and Crime
// Plan survey's results. Then axe-core checks every survey page at both widths, and the results are
// saved as screenshots.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  NARROW,
  PARKS,
  PASSWORD,
  POLICE_PLAN,
  WIDE,
  artifactPath,
  assertNoViolations,
  createAccount,
  openPage,
  signIn,
  visit,
  watchForErrors,
  withHeardAndBrowser,
} from './support.mjs';

const HOST = { role: 'host', email: 'priya@example.org', name: 'Priya from Parks', password: PASSWORD };
const PARKS_SURVEY = `${PARKS}/survey`;
const POLICE_SURVEY = `${POLICE_PLAN}/survey`;
const SCALE = 'We should light the busiest paths through the ten largest parks.';
const WHY = 'Why do you disagree with lighting the paths?';

let server;
let browser;

withHeardAndBrowser((started) => ({ server, browser } = started));

// From the consultation page to the first part of the survey, without an account.
async function startAnonymously(page, email = '') {
  await visit(page, server.url(PARKS));
  await page.getByRole('link', { name: 'Answer the survey' }).click();
  await page.waitForURL((url) => url.pathname === PARKS_SURVEY);
  if (email) await page.getByLabel('Email address (optional)').fill(email);
  await page.getByRole('button', { name: 'Start the survey' }).click();
  await page.waitForURL((url) => url.pathname === `${PARKS_SURVEY}/sections/1`);
}

const scaleGroup = (page) => page.getByRole('group', { name: SCALE });

for (const javaScriptEnabled of [false, true]) {
  describe(`A resident answers the parks survey ${javaScriptEnabled ? 'with' : 'without'} JavaScript`, () => {
    let page;
    const problems = [];

    it('a missing answer is named at the top and beside the question, and what was ticked stays', async () => {
      ({ page } = await openPage(browser, { javaScriptEnabled }));
      problems.push(watchForErrors(page));
      await startAnonymously(page);
      await page.getByRole('checkbox', { name: 'Help points' }).check();
      await page.getByRole('button', { name: 'Continue' }).click();
      const summary = page.getByRole('alert');
      assert.match(await summary.innerText(), new RegExp(`Choose an answer: “${SCALE.replace(/\./g, '\\.')}”`));
      assert.match(await summary.innerText(), /Choose an answer: “How often do you walk or cycle/);
      assert.match(await scaleGroup(page).innerText(), /Error:\s*Choose an answer/);
      assert.ok(await page.getByRole('checkbox', { name: 'Help points' }).isChecked(), 'the tick is kept');
      // The summary's link points at the question's first answer.
      const href = await summary.getByRole('link', { name: /We should light the busiest paths/ }).getAttribute('href');
      assert.equal(await page.locator(href).getAttribute('value'), 'Strongly agree');
    });

    it('agreeing: the follow-up is not asked', async () => {
      await scaleGroup(page).getByRole('radio', { name: 'Agree', exact: true }).check();
      await page.getByRole('radio', { name: 'Once or twice a week' }).check();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL((url) => url.pathname === `${PARKS_SURVEY}/sections/2`);
      assert.equal(await page.getByText(WHY).count(), 0);
      assert.ok(await page.getByRole('group', { name: /Put our proposals in order/ }).isVisible());
    });

    it('back, and disagreeing: the follow-up is asked, and required', async () => {
      await page.getByRole('button', { name: 'Back' }).click();
      await page.waitForURL((url) => url.pathname === `${PARKS_SURVEY}/sections/1`);
      assert.ok(await scaleGroup(page).getByRole('radio', { name: 'Agree', exact: true }).isChecked(), 'kept');
      await scaleGroup(page).getByRole('radio', { name: 'Strongly disagree' }).check();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL((url) => url.pathname === `${PARKS_SURVEY}/sections/2`);
      assert.ok(await page.getByLabel(WHY).isVisible());
      await page.getByLabel('Lighting the main paths').selectOption('2');
      await page.getByLabel('Help points', { exact: true }).selectOption('2');
      await page.getByRole('button', { name: 'Submit your answers' }).click();
      const summary = page.getByRole('alert');
      assert.match(await summary.innerText(), new RegExp(`Enter an answer: “${WHY.replace(/\?/g, '\\?')}”`));
      assert.match(await summary.innerText(), /Give each option a different place/);
      assert.equal(await page.getByLabel('Lighting the main paths').inputValue(), '2', 'places kept as chosen');
    });

    it('fixed and submitted for an organisation: the confirmation lists the answers', async () => {
      await page.getByLabel(WHY).fill('The lights would keep neighbours awake and scare the bats.');
      await page.getByLabel('Lighting the main paths').selectOption('1');
      // The organisation's name is asked for only when it applies: with JavaScript it shows once
      // "For an organisation" is chosen; without, it is always there, with a hint saying when.
      const name = page.getByLabel('Name of the organisation');
      assert.equal(await name.isVisible(), !javaScriptEnabled);
      await page.getByRole('radio', { name: 'For an organisation' }).check();
      assert.ok(await name.isVisible());
      await name.fill('Friends of the Park');
      await page.getByRole('button', { name: 'Submit your answers' }).click();
      await page.waitForURL((url) => url.pathname === `${PARKS_SURVEY}/submitted`);
      const main = await page.locator('main').innerText();
      assert.match(main, /Thank you: your answers have been sent/);
      assert.match(main, /Strongly disagree/);
      assert.match(main, /The lights would keep neighbours awake and scare the bats\./);
      assert.match(main, /1\. Lighting the main paths; 2\. Help points/);
      assert.match(main, /You answered for Friends of the Park\./);
      // Coming back to the survey says it is done.
      await visit(page, server.url(PARKS_SURVEY));
      assert.match(await page.locator('main').innerText(), /You have answered this survey/);
      // A form shown again with its problems answers 422, which the console reports; nothing else.
      assert.deepEqual(problems.flat().filter((p) => !p.includes('status of 422')), []);
      await page.context().close();
    });
  });
}

describe('Saving for later without an account', () => {
  it('gives a link that brings the answers back in another browser', async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await startAnonymously(page, 'walker@example.org');
    await scaleGroup(page).getByRole('radio', { name: 'Neither agree nor disagree' }).check();
    await page.getByRole('button', { name: 'Save and return later' }).click();
    assert.match(await page.locator('h1').innerText(), /Your answers are saved/);
    const link = await page.locator('.resume-link a').getAttribute('href');
    assert.match(link, /\/consultations\/parks-after-dark\/survey\/resume\//);
    await context.close();
    const other = await openPage(browser, { javaScriptEnabled: false });
    await visit(other.page, new URL(new URL(link).pathname, server.baseUrl).href);
    await other.page.waitForURL((url) => url.pathname === `${PARKS_SURVEY}/sections/1`);
    assert.ok(await scaleGroup(other.page).getByRole('radio', { name: 'Neither agree nor disagree' }).isChecked());
    await other.context.close();
  });
});

describe('The closed Police and Crime Plan survey', () => {
  it('takes no answers, and says so', async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await visit(page, server.url(POLICE_PLAN));
    await page.getByRole('link', { name: 'About the survey' }).click();
    assert.match(await page.locator('main').innerText(), /closed on 12 February 2025, so the survey no longer takes answers/);
    assert.equal(await page.getByRole('button', { name: 'Start the survey' }).count(), 0);
    await visit(page, server.url(`${POLICE_SURVEY}/sections/1`), { status: 403 });
    assert.match(await page.locator('h1').innerText(), /The survey is not taking answers/);
    await context.close();
  });

  it('staff read its results: counts, percentages, charts with tables, and free text', async () => {
    await createAccount(server.dataDir, HOST);
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await signIn(page, server, HOST, `/admin/consultations/police-and-crime-plan-2025-29/survey/results`);
    const main = await page.locator('main').innerText();
    assert.match(main, /1,100 people have submitted/);
    assert.match(main, /Synthetic 1,100 of them were generated for the demo, not written by real people\./);
    assert.ok((await page.locator('svg.bar-chart').count()) >= 5, 'a chart per choice question');
    const trust = page.getByRole('region', { name: /Increasing trust and confidence in the Met/ });
    const rows = await trust.locator('tbody tr').allInnerTexts();
    assert.equal(rows.length, 5);
    const counts = rows.map((r) => Number(r.split('\t')[1].replace(/,/g, '')));
    assert.equal(counts.reduce((a, b) => a + b, 0), 1100, 'every submission answered the scale once');
    assert.match(main, /Average place \(1 is first\)/);
    await page.getByRole('link', { name: /See all .* answers to “What else should the plan do\?”/ }).click();
    assert.match(await page.locator('main').innerText(), /Page 1 of \d+/);
    assert.equal(await page.locator('.free-texts li').count(), 50);
    await context.close();
  });
});

for (const viewport of [WIDE, NARROW]) {
  describe(`Accessibility of the survey pages (axe-core, WCAG 2.2 AA) at ${viewport.width} px`, () => {
    const check = (page, where) => assertNoViolations(page, `${where} at ${viewport.width} px`);

    it('every survey page, and every form shown again with its problems, has no violations', async () => {
      await createAccount(server.dataDir, { ...HOST, email: `host-${viewport.width}@example.org` }).catch(() => {});
      const resident = await openPage(browser, { viewport, bypassCSP: true });
      const staff = await openPage(browser, { viewport, bypassCSP: true });
      try {
        const r = resident.page;
        await visit(r, server.url(PARKS));
        await check(r, 'consultation page with the survey');
        await visit(r, server.url(PARKS_SURVEY));
        await check(r, 'survey start');
        await r.getByLabel('Email address (optional)').fill('not an address');
        await r.getByRole('button', { name: 'Start the survey' }).click();
        await check(r, 'survey start with a problem');
        assert.equal(await r.getByLabel('Email address (optional)').inputValue(), 'not an address');
        await r.getByLabel('Email address (optional)').fill('');
        await r.getByRole('button', { name: 'Start the survey' }).click();
        await r.waitForURL((url) => url.pathname.endsWith('/sections/1'));
        await check(r, 'survey part 1');
        await r.getByRole('button', { name: 'Continue' }).click();
        await check(r, 'survey part 1 with problems');
        await scaleGroup(r).getByRole('radio', { name: 'Disagree', exact: true }).check();
        await r.getByRole('radio', { name: 'Never' }).check();
        await r.getByRole('button', { name: 'Continue' }).click();
        await r.waitForURL((url) => url.pathname.endsWith('/sections/2'));
        await check(r, 'survey part 2 with the follow-up');
        await r.getByRole('button', { name: 'Submit your answers' }).click();
        await check(r, 'survey part 2 with problems');
        await r.getByRole('button', { name: 'Save and return later' }).click();
        await check(r, 'answers saved, with the link to come back');
        await visit(r, server.url(`${PARKS_SURVEY}/sections/2`));
        await r.getByLabel(WHY).fill(`Too bright (${viewport.width}).`);
        await r.getByRole('button', { name: 'Submit your answers' }).click();
        await r.waitForURL((url) => url.pathname.endsWith('/submitted'));
        await check(r, 'confirmation');
        await visit(r, server.url(POLICE_SURVEY));
        await check(r, 'closed survey');
        await visit(r, server.url(`${POLICE_SURVEY}/sections/1`), { status: 403 });
        await check(r, 'closed survey refusing answers');

        const s = staff.page;
        await signIn(s, server, { email: `host-${viewport.width}@example.org`, password: PASSWORD }, '/admin/consultations/parks-after-dark/survey');
        await check(s, 'survey builder');
        await s.getByRole('link', { name: 'Add a question to part 1' }).click();
        await check(s, 'new question form');
        await s.getByRole('radio', { name: 'Single choice' }).check();
        await s.getByRole('button', { name: 'Save the question' }).click();
        await check(s, 'question form with problems');
        await visit(s, server.url('/admin/consultations/parks-after-dark/survey'));
        await s.getByRole('link', { name: 'Edit part 1' }).click();
        await check(s, 'edit a part');
        await visit(s, server.url('/admin/consultations/parks-after-dark/survey'));
        await s.getByRole('link', { name: `Edit “${SCALE}”` }).click();
        await check(s, 'edit a question');
        await visit(s, server.url('/admin/consultations/police-and-crime-plan-2025-29/survey/results'));
        await check(s, 'survey results');
        await s.screenshot({ path: await artifactPath(`survey-results-${viewport.width}.png`), fullPage: true });
        await s.getByRole('link', { name: /See all .* answers to “What else should the plan do\?”/ }).click();
        await check(s, 'free-text answers, a page at a time');
      } finally {
        await resident.context.close();
        await staff.context.close();
      }
    });
  });
}
