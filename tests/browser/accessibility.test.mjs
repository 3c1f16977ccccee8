// axe-core finds no WCAG 2.2 AA violation on any page, on a desktop and on a small phone, and
// none on a discussion with its long comments opened.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  NARROW,
  PAGES,
  SAFETY_DISCUSSION,
  WIDE,
  axeViolations,
  formatViolations,
  visit,
  withHeardAndBrowser,
  withPage,
} from './support.mjs';

let server;
let browser;

withHeardAndBrowser((started) => ({ server, browser } = started));

for (const viewport of [WIDE, NARROW]) {
  describe(`Accessibility (axe-core, WCAG 2.2 AA) at ${viewport.width} px wide`, () => {
    let page;
    withPage(() => browser, { viewport, bypassCSP: true }, (opened) => (page = opened));

    for (const { name, path, status } of PAGES) {
      it(`${name} (${path}) has no violations`, async () => {
        await visit(page, server.url(path), { status });
        const violations = await axeViolations(page);
        assert.equal(violations.length, 0, formatViolations(violations, `${path} at ${viewport.width} px`));
      });
    }

    it(`a discussion with every long comment opened has no violations`, async () => {
      await visit(page, server.url(SAFETY_DISCUSSION));
      const opened = await page.locator('details.full-comment').evaluateAll((all) => {
        for (const d of all) d.open = true;
        return all.length;
      });
      assert.ok(opened >= 1, 'the discussion has long comments to open');
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0,
        formatViolations(violations, `${SAFETY_DISCUSSION} with comments opened, at ${viewport.width} px`));
    });
  });
}
