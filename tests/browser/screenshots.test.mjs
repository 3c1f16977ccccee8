// Full-page screenshots of the pages people see most, on a phone and on a desktop, saved under
// tests/browser/artifacts/ for a person to look at (they are not compared with anything).

import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';

import {
  NARROW,
  POLICE_PLAN,
  SAFETY_DISCUSSION,
  WIDE,
  artifactPath,
  firstLongComment,
  visit,
  withHeardAndBrowser,
  withPage,
} from './support.mjs';

const SHOTS = [
  { file: 'home', path: '/' },
  { file: 'consultation-closed-police-and-crime-plan', path: POLICE_PLAN },
  { file: 'what-we-heard-police-and-crime-plan', path: `${POLICE_PLAN}/results` },
  { file: 'discussion-safety-in-public-spaces-comment-expanded', path: SAFETY_DISCUSSION, expandComment: true },
];

let server;
let browser;

withHeardAndBrowser((started) => ({ server, browser } = started));

for (const viewport of [NARROW, WIDE]) {
  const size = `${viewport.width}x${viewport.height}`;
  describe(`Screenshots at ${size}`, () => {
    let page;
    withPage(() => browser, { viewport }, (opened) => (page = opened));

    for (const { file, path, expandComment } of SHOTS) {
      it(`${file}-${size}.png`, async () => {
        await visit(page, server.url(path));
        if (expandComment) {
          const summary = firstLongComment(page).locator('details.full-comment > summary');
          await summary.click();
          await firstLongComment(page).locator('details.full-comment[open] > p').first().waitFor();
        }
        const target = await artifactPath(`${file}-${size}.png`);
        await page.screenshot({ path: target, fullPage: true });
        const { size: bytes } = await stat(target);
        assert.ok(bytes > 10_000, `${target} was written (${bytes} bytes)`);
      });
    }
  });
}
