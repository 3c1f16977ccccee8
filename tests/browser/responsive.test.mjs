// On a small phone (360 px wide) nothing scrolls sideways and comments are comfortable to read;
// at 320 px (WCAG 1.4.10, Reflow) the content still fits.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  NARROW,
  PAGES,
  PARKS_DISCUSSION,
  SAFETY_DISCUSSION,
  VIOLENCE_DISCUSSION,
  visit,
  withHeardAndBrowser,
  withPage,
} from './support.mjs';

const DISCUSSIONS = [SAFETY_DISCUSSION, VIOLENCE_DISCUSSION, PARKS_DISCUSSION];

let server;
let browser;

withHeardAndBrowser((started) => ({ server, browser } = started));

// The widest elements that stick out past the viewport, to say what to fix.
function overflowReport(page, width) {
  return page.evaluate((limit) => {
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      if (box.right > limit + 0.5 && box.width > 0) {
        const id = el.id ? `#${el.id}` : '';
        const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
        wide.push(`${el.tagName.toLowerCase()}${id}${cls} (right edge at ${Math.round(box.right)} px)`);
      }
    }
    return {
      scrollWidth: document.documentElement.scrollWidth,
      culprits: wide.slice(0, 5),
    };
  }, width);
}

for (const width of [NARROW.width, 320]) {
  describe(`No sideways scrolling at ${width} px wide`, () => {
    let page;
    withPage(() => browser, { viewport: { width, height: 800 } }, (opened) => (page = opened));

    for (const { name, path, status } of PAGES) {
      it(`${name} (${path}) fits in ${width} px`, async () => {
        await visit(page, server.url(path), { status });
        const { scrollWidth, culprits } = await overflowReport(page, width);
        assert.ok(scrollWidth <= width,
          `${path} is ${scrollWidth} px wide at a ${width} px viewport; too wide: ${culprits.join(', ')}`);
      });
    }

    for (const path of DISCUSSIONS) {
      it(`${path} with every long comment opened fits in ${width} px`, async () => {
        await visit(page, server.url(path));
        await page.locator('details.full-comment').evaluateAll((all) => { for (const d of all) d.open = true; });
        const { scrollWidth, culprits } = await overflowReport(page, width);
        assert.ok(scrollWidth <= width,
          `${path} (comments opened) is ${scrollWidth} px wide at ${width} px; too wide: ${culprits.join(', ')}`);
      });
    }
  });
}

describe('Comment text is easy to read on a phone', () => {
  let page;
  withPage(() => browser, { viewport: NARROW }, (opened) => (page = opened));

  for (const path of DISCUSSIONS) {
    it(`${path}: comment text is at least 16 px`, async () => {
      await visit(page, server.url(path));
      await page.locator('details.full-comment').evaluateAll((all) => { for (const d of all) d.open = true; });
      const sizes = await page.locator('article.comment .comment-body p').evaluateAll((ps) =>
        ps.map((p) => ({ id: p.closest('article').id, px: parseFloat(getComputedStyle(p).fontSize) })),
      );
      assert.ok(sizes.length >= 1, 'the discussion shows comment text');
      const small = sizes.filter((s) => s.px < 16);
      assert.deepEqual(small, [], 'comment paragraphs smaller than 16 px');
    });
  }
});
