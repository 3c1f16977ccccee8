// "What we heard" as a resident reads it: reached from the consultation page, every chart with its
// table, the themes with their approved quotes and what was done, the figures downloadable as CSV,
// and a clean printed report. (axe-core and the screenshots at both widths cover it through PAGES.)

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NARROW, POLICE_PLAN, artifactPath, openPage, visit, watchForErrors, withHeardAndBrowser } from './support.mjs';

let server;
let browser;

withHeardAndBrowser((started) => ({ server, browser } = started));

describe('What we heard, published for the Police and Crime Plan', () => {
  it('is reached from the consultation page and shows each theme with what was done', async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    const problems = watchForErrors(page);
    await visit(page, server.url(POLICE_PLAN));
    assert.equal(await page.locator('.status').first().innerText(), 'Results published');
    await page.getByRole('link', { name: 'Read what we heard' }).click();
    assert.equal(new URL(page.url()).pathname, `${POLICE_PLAN}/results`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'What we heard');
    // The three objectives of the plan are the themes, each with a count and what was done.
    for (const objective of [
      'Reducing violence and criminal exploitation',
      'Increasing trust and confidence in the Met',
      'Improving the criminal justice system and supporting victims',
    ]) {
      const theme = page.locator('article.theme', { has: page.getByRole('heading', { name: objective, exact: true }) });
      assert.match(await theme.locator('.meta').innerText(), /^[\d,]+ responses · \d+% of responses$/);
      assert.ok((await theme.locator('blockquote').count()) >= 1, `${objective} has an approved quote`);
      assert.match(await theme.locator('.we-did').innerText(), /What we did: /);
    }
    // Every chart carries its figures as a table, for people who cannot see the bars.
    const charts = await page.locator('figure.chart').count();
    assert.ok(charts >= 5, `${charts} charts`);
    assert.equal(await page.locator('figure.chart table').count(), charts);
    // The campaign letter is counted and shown once.
    assert.match(await page.locator('.campaigns').innerText(), /\d+ responses: .*police station/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('downloads every figure as CSV', async () => {
    const { page, context } = await openPage(browser);
    await visit(page, server.url(`${POLICE_PLAN}/results`));
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Every figure on this page (CSV)' }).click(),
    ]);
    const file = await download.path();
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    assert.equal(lines[0], 'table,category,count,out_of,share,agree,disagree,unclear');
    const channels = lines.filter((l) => l.startsWith('responses by channel,'));
    const total = channels.reduce((sum, l) => sum + Number(l.split(',')[2]), 0);
    assert.ok(total >= 1622, `channels add up to ${total}`);
    await context.close();
  });

  it('prints as a clean report without the site navigation', async () => {
    const { page, context } = await openPage(browser, { viewport: NARROW });
    await visit(page, server.url(`${POLICE_PLAN}/results`));
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.site-footer').isVisible(), false);
    assert.equal(await page.locator('.downloads').isVisible(), false);
    assert.equal(await page.getByRole('heading', { name: 'You said, we did' }).isVisible(), true);
    await page.pdf({ path: await artifactPath('what-we-heard.pdf'), format: 'A4' });
    await context.close();
  });
});
