// Analysis in the back office, as a host does it in a browser without JavaScript: a lexical run of
// the Police and Crime Plan started from the form, its progress page followed (it refreshes itself)
// until the themes show, one theme opened, renamed and marked reviewed. Then axe-core checks the run
// page and the theme page at both widths, and screenshots of both are saved.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  NARROW,
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

const HOST = { role: 'host', email: 'ana@example.org', name: 'Ana the analyst', password: PASSWORD };
const ANALYSIS = `/admin/consultations/${POLICE_PLAN.replace('/consultations/', '')}/analysis`;

let server;
let browser;
// The run's and the theme's pages, found by the first describe and checked by the others.
let runPath;
let themePath;

// A theme's page lists 50 responses a page (about 30,000 px tall at 360 px, 18,000 at 1280), and
// chromium here took longer than the screenshot timeout to capture that whole, even clipped: its
// screenshots are of what a visitor sees first.
const THEME_SHOT = { fullPage: false };

withHeardAndBrowser((started) => ({ server, browser } = started));

describe('A host analyses the Police and Crime Plan and reviews a theme, without JavaScript', () => {
  let page;
  let problems;

  it('starts a lexical run from the hub, and its page follows it to the end', async () => {
    await createAccount(server.dataDir, HOST);
    ({ page } = await openPage(browser, { javaScriptEnabled: false }));
    problems = watchForErrors(page);
    await signIn(page, server, HOST, ANALYSIS.replace('/analysis', ''));
    await page.getByRole('link', { name: 'Analysis', exact: true }).click();
    await page.waitForURL((url) => url.pathname === ANALYSIS);
    await page.getByRole('link', { name: 'Start an analysis' }).click();
    // The framework is suggested from the plan's objectives.
    assert.match(await page.getByLabel("The framework's themes").inputValue(), /^Reducing violence and criminal exploitation: /);
    assert.equal(await page.getByLabel('Which responses').inputValue(), 'all');
    await page.getByRole('radio', { name: 'Discover the themes in the responses' }).check();
    await page.getByRole('radio', { name: 'Lexical' }).check();
    await page.getByRole('button', { name: 'Start the analysis' }).click();
    await page.waitForURL((url) => /\/analysis\/runs\/\d+$/.test(url.pathname));
    runPath = new URL(page.url()).pathname;
    // The page refreshes itself (a meta refresh, no script) until the run is over.
    await page.getByRole('heading', { name: 'Themes', level: 2 }).waitFor({ timeout: 180_000 });
    const facts = await page.locator('dl.facts-list').innerText();
    assert.match(facts, /Mode asked\s+lexical/);
    assert.match(facts, /What ran\s+lexical mode/);
    assert.match(facts, /Status\s+Finished/);
    assert.equal(await page.locator('meta[http-equiv="refresh"]').count(), 0, 'a finished run stops refreshing');
    assert.ok((await page.locator('table.analysis-themes tbody tr').count()) >= 2, 'themes are listed');
    await page.screenshot({ path: await artifactPath('analysis-run-1280.png'), fullPage: true });
  });

  it('opens a theme, renames it and marks it reviewed', async () => {
    await page.locator('table.analysis-themes tbody th a').first().click();
    await page.waitForURL((url) => /\/themes\/\d+$/.test(url.pathname));
    themePath = new URL(page.url()).pathname;
    assert.ok((await page.locator('article.register-entry').count()) >= 1, 'the theme lists its responses');

    await page.getByLabel('Name', { exact: true }).fill('Safer streets at night');
    await page.getByRole('button', { name: 'Save the name and description' }).click();
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Theme: Safer streets at night');
    assert.match(await page.getByRole('status').innerText(), /The name and description were saved/);

    await page.getByRole('button', { name: 'Mark reviewed' }).click();
    assert.match(await page.getByRole('status').innerText(), /The theme is marked reviewed/);
    assert.ok(await page.getByRole('button', { name: 'Mark not reviewed' }).isVisible());
    await page.screenshot({ path: await artifactPath('analysis-theme-1280.png'), ...THEME_SHOT });

    // The run page counts it reviewed, and the hub's staff log says what was done.
    await visit(page, server.url(runPath));
    const row = page.locator('table.analysis-themes tbody tr').filter({ hasText: 'Safer streets at night' });
    assert.match(await row.innerText(), /Reviewed/);
    await visit(page, server.url(ANALYSIS.replace('/analysis', '')));
    const log = await page.getByRole('table', { name: 'What staff changed, newest first' }).innerText();
    assert.match(log, /Started an analysis/);
    assert.match(log, /renamed "Safer streets at night"/);
    assert.match(log, /"Safer streets at night" marked reviewed/);
    assert.deepEqual(problems, [], 'no console errors or failed requests');
  });
});

for (const viewport of [WIDE, NARROW]) {
  describe(`Analysis pages pass axe-core (WCAG 2.2 AA) at ${viewport.width} px wide`, () => {
    const pages = [
      { name: 'the runs', path: () => ANALYSIS },
      { name: 'the form to start a run', path: () => `${ANALYSIS}/new` },
      { name: 'the run page', path: () => runPath, shot: 'analysis-run' },
      { name: 'the theme page', path: () => themePath, shot: 'analysis-theme' },
    ];
    for (const { name, path, shot } of pages) {
      it(`${name} has no violations`, async () => {
        assert.ok(path(), 'the run was started by the test above');
        const { context, page } = await openPage(browser, { viewport, bypassCSP: true });
        try {
          await signIn(page, server, HOST, '/account');
          await visit(page, server.url(path()));
          await page.locator('details').evaluateAll((all) => all.forEach((d) => { d.open = true; }));
          await assertNoViolations(page, `${name} at ${viewport.width} px`);
          if (shot && viewport === NARROW) {
            await page.screenshot({ path: await artifactPath(`${shot}-${viewport.width}.png`), ...(shot === 'analysis-theme' ? THEME_SHOT : { fullPage: true }) });
          }
        } finally {
          await context.close();
        }
      });
    }
  });
}
