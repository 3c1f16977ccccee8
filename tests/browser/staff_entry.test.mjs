// Responses by email, post, phone and at events, as a host enters them in a browser without
// JavaScript: a letter with its scan, first with a problem (the form comes back with everything
// typed and asks for the file again), then saved and found in the register with its download; a CSV
// import with a bad row, refused with the row named. Then axe-core checks every page this added,
// at both widths.

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

const slug = (consultation) => consultation.replace('/consultations/', '');
const RESPONSES = `/admin/consultations/${slug(PARKS)}/responses`;
const NEW = `${RESPONSES}/new`;
const IMPORT = `${RESPONSES}/import`;
const CLOSED_RESPONSES = `/admin/consultations/${slug(POLICE_PLAN)}/responses`;

const SCAN = {
  name: 'letter-from-the-canal-society.pdf',
  mimeType: 'application/pdf',
  buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
};

let server;
let browser;

withHeardAndBrowser((started) => ({ server, browser } = started));

describe('A host enters a letter with its scan and finds it in the register, without JavaScript', () => {
  const stamp = Date.now();
  const letter = `Please light the towpath between the two bridges (${stamp}).\nThe gate by the lock is dark by five.`;
  let page;
  let problems;

  it('a letter with a problem comes back with everything typed, and asks for the file again', async () => {
    await createAccount(server.dataDir, HOST);
    ({ page } = await openPage(browser, { javaScriptEnabled: false }));
    problems = watchForErrors(page);
    await signIn(page, server, HOST, NEW);
    await page.getByRole('radio', { name: 'Post' }).check();
    await page.getByRole('radio', { name: 'An organisation' }).check();
    await page.getByLabel('Borough').selectOption('Camden');
    await page.getByLabel('The whole response').fill(letter);
    await page.getByLabel('Scanned letter or attachment (optional)').setInputFiles(SCAN);
    await page.getByRole('button', { name: 'Save the response' }).click();

    const summary = page.getByRole('alert');
    assert.match(await summary.innerText(), /There is a problem/);
    assert.match(await summary.innerText(), /Enter the name of the organisation\./);
    assert.match(await summary.innerText(), /Choose letter-from-the-canal-society\.pdf again/);
    // The summary's link leads to the field.
    await summary.getByRole('link', { name: 'Enter the name of the organisation.' }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'organisation');
    // Everything typed is still there.
    assert.equal(await page.getByLabel('The whole response').inputValue(), letter);
    assert.ok(await page.getByRole('radio', { name: 'Post' }).isChecked());
    assert.ok(await page.getByRole('radio', { name: 'An organisation' }).isChecked());
    assert.equal(await page.getByLabel('Borough').inputValue(), 'Camden');
    assert.equal(await page.locator('#organisation').getAttribute('aria-invalid'), 'true');
  });

  it('with the name and the file chosen again it is saved, and shows in the register with its scan', async () => {
    await page.getByLabel('Name of the organisation').fill('Canal Society');
    await page.getByLabel('Scanned letter or attachment (optional)').setInputFiles(SCAN);
    await page.getByRole('button', { name: 'Save the response' }).click();
    await page.waitForURL((url) => url.pathname === `${RESPONSES}/entered`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Response saved');
    assert.ok(await page.getByRole('link', { name: 'Enter another response' }).isVisible());
    await page.getByRole('link', { name: 'See the register of responses' }).click();
    await page.waitForURL((url) => url.pathname === RESPONSES);

    const entry = page.locator('article.register-entry').filter({ hasText: String(stamp) });
    assert.equal(await entry.count(), 1, 'the letter is in the register once');
    assert.match(await entry.innerText(), /Post: Organisation: Canal Society/);
    assert.match(await entry.innerText(), /Camden/);
    const breakdown = page.getByRole('table', { name: 'By channel' });
    assert.match(await breakdown.getByRole('row', { name: /^Post/ }).innerText(), /^Post\s+[1-9]/);

    const download = page.getByRole('link', { name: `Download ${SCAN.name}` });
    const response = await page.request.get(new URL(await download.getAttribute('href'), page.url()).href);
    assert.equal(response.status(), 200);
    assert.equal(response.headers()['content-type'], 'application/pdf');
    assert.equal(response.headers()['x-content-type-options'], 'nosniff');
    assert.match(response.headers()['content-disposition'], /^attachment; filename="letter-from-the-canal-society\.pdf"/);
    assert.deepEqual(Buffer.from(await response.body()), SCAN.buffer);
  });

  it('a CSV file with a bad row imports nothing and names the row', async () => {
    await visit(page, server.url(IMPORT));
    const csv = 'channel,received,respondent_type,organisation,borough,text\nfax,2020-01-01,individual,,,Hello\n';
    await page.getByLabel('CSV file').setInputFiles({ name: 'letters.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Check and import' }).click();
    assert.match(await page.getByRole('alert').innerText(), /Nothing was imported: letters\.csv has \d+ problem/);
    const rows = page.getByRole('table', { name: 'Problems in letters.csv' }).getByRole('row');
    assert.match(await rows.nth(1).innerText(), /^2\s+channel\s+"fax" is not one of/);
    // A form shown again with its problems answers 422, which the browser logs; nothing else may fail.
    const unexpected = problems.filter((p) => !p.includes('status of 422'));
    assert.deepEqual(unexpected, [], 'no console errors or failed requests');
  });
});

for (const viewport of [WIDE, NARROW]) {
  describe(`Staff entry pages pass axe-core (WCAG 2.2 AA) at ${viewport.width} px wide`, () => {
    const pages = [
      { name: 'the entry form', go: (p) => visit(p, server.url(NEW)) },
      {
        name: 'the entry form with problems',
        go: async (p) => {
          await visit(p, server.url(NEW));
          await p.getByLabel('Date received').fill('');
          await p.getByRole('button', { name: 'Save the response' }).click();
          await p.getByRole('alert').waitFor();
        },
      },
      { name: 'the page after saving', go: (p) => visit(p, server.url(`${RESPONSES}/entered`)) },
      { name: 'the register', go: (p) => visit(p, server.url(RESPONSES)) },
      {
        name: 'the register of a closed consultation, long responses opened',
        go: async (p) => {
          await visit(p, server.url(CLOSED_RESPONSES));
          await p.locator('details.full-comment').evaluateAll((all) => all.forEach((d) => { d.open = true; }));
        },
      },
      { name: 'the import page', go: (p) => visit(p, server.url(IMPORT)) },
      {
        name: 'the import page with problems',
        go: async (p) => {
          await visit(p, server.url(IMPORT));
          await p.getByLabel('CSV file').setInputFiles({
            name: 'bad.csv',
            mimeType: 'text/csv',
            buffer: Buffer.from('channel,received\nfax,never\n'),
          });
          await p.getByRole('button', { name: 'Check and import' }).click();
          await p.getByRole('alert').waitFor();
        },
      },
    ];
    for (const { name, go } of pages) {
      it(`${name} has no violations`, async () => {
        const { context, page } = await openPage(browser, { viewport, bypassCSP: true });
        try {
          await signIn(page, server, HOST, '/account');
          await go(page);
          await assertNoViolations(page, `${name} at ${viewport.width} px`);
        } finally {
          await context.close();
        }
      });
    }
  });
}
