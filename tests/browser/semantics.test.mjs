// What a screen reader or keyboard user gets: one h1 and an unbroken heading outline on every
// page, a skip link as the first stop, long comments announced as a disclosure whose expanded
// state changes, and the basics every page needs (language, title, icon).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  PAGES,
  SAFETY_DISCUSSION,
  accessibilityNode,
  firstLongComment,
  visit,
  withHeardAndBrowser,
  withPage,
} from './support.mjs';

let server;
let browser;

withHeardAndBrowser((started) => ({ server, browser } = started));

describe('Headings, as a screen reader lists them', () => {
  let page;
  withPage(() => browser, {}, (opened) => (page = opened));

  for (const { name, path, status } of PAGES) {
    it(`${name}: exactly one h1, and no heading level skipped`, async () => {
      await visit(page, server.url(path), { status });
      const headings = await page.locator('h1, h2, h3, h4, h5, h6').evaluateAll((hs) =>
        hs.map((h) => ({ level: Number(h.tagName[1]), text: h.textContent.trim() })),
      );
      const h1s = headings.filter((h) => h.level === 1);
      assert.equal(h1s.length, 1, `${path} has one h1, found ${JSON.stringify(h1s.map((h) => h.text))}`);
      assert.equal(headings[0].level, 1, `${path}: the first heading is the h1, not "${headings[0].text}"`);
      for (let i = 1; i < headings.length; i++) {
        const [prev, cur] = [headings[i - 1], headings[i]];
        assert.ok(cur.level <= prev.level + 1,
          `${path}: h${cur.level} "${cur.text}" follows h${prev.level} "${prev.text}", skipping a level`);
      }
    });
  }
});

describe('The skip link, for keyboard users', () => {
  let page;
  withPage(() => browser, {}, (opened) => (page = opened));

  for (const { name, path, status } of PAGES) {
    it(`${name}: the first Tab reaches "Skip to main content", which moves focus to the main content`, async () => {
      await visit(page, server.url(path), { status });
      await page.keyboard.press('Tab');
      const first = await page.evaluate(() => {
        const el = document.activeElement;
        const box = el.getBoundingClientRect();
        return {
          tag: el.tagName.toLowerCase(),
          text: el.textContent.trim(),
          href: el.getAttribute('href'),
          onScreen: box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0
            && box.right <= innerWidth && box.bottom <= innerHeight,
        };
      });
      assert.deepEqual(
        { tag: first.tag, text: first.text, href: first.href },
        { tag: 'a', text: 'Skip to main content', href: '#main' },
        'the first focusable element is the skip link',
      );
      assert.ok(first.onScreen, 'the skip link appears on screen when focused');

      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.hash === '#main');
      const focused = await page.evaluate(() => document.activeElement.id);
      assert.equal(focused, 'main', 'after the skip link, focus is on <main id="main">');
    });
  }
});

describe('A long comment, as a screen reader announces it', () => {
  let page;
  withPage(() => browser, {}, async (opened) => {
    page = opened;
    await visit(page, server.url(SAFETY_DISCUSSION));
  });

  it('each comment is an article named by its author', async () => {
    const comment = firstLongComment(page);
    const id = await comment.getAttribute('id');
    const author = (await comment.locator('.author').innerText()).trim();
    const node = await accessibilityNode(page, `#${id}`);
    assert.equal(node.role, 'article');
    assert.equal(node.name, author);
  });

  it('"Show full comment" is a collapsed disclosure naming the author, and expands when activated', async () => {
    const comment = firstLongComment(page);
    const id = await comment.getAttribute('id');
    const author = (await comment.locator('.author').innerText()).trim();
    const selector = `#${id} details.full-comment > summary`;

    const closed = await accessibilityNode(page, selector);
    assert.equal(closed.role, 'DisclosureTriangle', 'the summary is exposed as a disclosure (native <summary>)');
    assert.equal(closed.name, `Show full comment by ${author}`, 'its name says what it does and whose comment it is');
    assert.equal(closed.properties.expanded, false, 'it is announced as collapsed');
    assert.equal(closed.properties.focusable, true, 'it is focusable');

    await page.locator(selector).click();
    await comment.locator('details.full-comment[open]').waitFor();
    const open = await accessibilityNode(page, selector);
    assert.equal(open.properties.expanded, true, 'after activating it, it is announced as expanded');
    assert.equal(open.name, `Show less of comment by ${author}`, 'and its name changes to match');

    const snapshot = await comment.ariaSnapshot();
    const rest = (await comment.locator('details.full-comment > p').first().innerText()).trim();
    assert.ok(snapshot.includes(rest.slice(0, 40)), `the rest of the comment is in the accessibility tree:\n${snapshot}`);

    await page.locator(selector).click();
    await comment.locator('details.full-comment:not([open])').waitFor();
    const again = await accessibilityNode(page, selector);
    assert.equal(again.properties.expanded, false, 'activating it again collapses it');
  });

  it('the hidden ellipsis is not read out', async () => {
    const ellipsis = firstLongComment(page).locator('.ellipsis');
    if ((await ellipsis.count()) === 0) return; // the cut fell between paragraphs
    const id = await firstLongComment(page).getAttribute('id');
    const node = await accessibilityNode(page, `#${id} .ellipsis`);
    assert.ok(node.ignored, 'the "…" is hidden from assistive technology');
  });
});

describe('Page basics', () => {
  let page;
  withPage(() => browser, {}, (opened) => (page = opened));

  it('every page is in British English and has its own title ending "| heard"', async () => {
    const titles = new Map();
    for (const { path, status } of PAGES) {
      await visit(page, server.url(path), { status });
      assert.equal(await page.locator('html').getAttribute('lang'), 'en-GB', `${path} declares its language`);
      const title = await page.title();
      assert.match(title, /^\S.* \| heard$/, `${path} has a descriptive title, got "${title}"`);
      // Page 2 of a discussion and the two "not found" pages may share a title with their twin.
      if (!path.includes('page=') && !status) {
        assert.ok(!titles.has(title), `${path} has the same title as ${titles.get(title)}: "${title}"`);
        titles.set(title, path);
      }
    }
  });

  it('the browser finds the site icon (no 404 for it on every page view)', async () => {
    await visit(page, server.url('/'));
    const link = page.locator('link[rel~="icon"]');
    const declared = (await link.count()) > 0 ? await link.first().getAttribute('href') : null;
    if (declared?.startsWith('data:')) return;
    const iconUrl = server.url(declared ?? '/favicon.ico');
    const response = await page.request.get(iconUrl);
    assert.ok(response.ok(),
      `${iconUrl} answered ${response.status()}: Chromium asks for it on every page and logs a console error. ` +
      'Declare an icon in base.html (e.g. <link rel="icon" href="/static/favicon.svg">) and serve it, ' +
      'or answer /favicon.ico with 204 No Content.');
  });
});
