// A resident reads what people said in a closed consultation: home page, the Police and Crime
// Plan, one of its discussions, and a long comment opened with the mouse and with the keyboard.
// The same journey runs with JavaScript on and with JavaScript off: heard needs none.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  POLICE_PLAN,
  SAFETY_DISCUSSION,
  firstLongComment,
  visit,
  watchForErrors,
  withHeardAndBrowser,
  withPage,
} from './support.mjs';

const OBJECTIVES = [
  'Reducing violence and criminal exploitation',
  'Increasing trust and confidence in the Met',
  'Improving the criminal justice system and supporting victims',
];

let server;
let browser;

withHeardAndBrowser((started) => ({ server, browser } = started));

readingAClosedConsultation('Reading a closed consultation, with JavaScript', { javaScriptEnabled: true });
readingAClosedConsultation('Reading a closed consultation, without JavaScript', { javaScriptEnabled: false });

describe('Reading more comments, page by page', () => {
  let page;
  withPage(() => browser, {}, (opened) => (page = opened));

  const pager = () => page.getByRole('navigation', { name: 'Comment pages' });
  const commentIds = () => page.locator('ol.threads article.comment').evaluateAll((as) => as.map((a) => a.id));

  it('"Next page" leads from page 1 to page 2, keeping the page size', async () => {
    await visit(page, server.url(`${SAFETY_DISCUSSION}?per_page=10`));
    assert.ok(await pager().isVisible(), 'a discussion longer than one page has the "Comment pages" navigation');
    assert.match(await pager().locator('[aria-current="page"]').innerText(), /^Page 1 of \d+$/);
    assert.equal(await pager().getByRole('link', { name: 'Previous page' }).count(), 0, 'page 1 has no previous page');
    const firstPage = await commentIds();

    await pager().getByRole('link', { name: 'Next page' }).click();
    await page.waitForURL((url) => url.searchParams.get('page') === '2');
    assert.equal(new URL(page.url()).searchParams.get('per_page'), '10', 'the page size is kept');
    assert.match(await pager().locator('[aria-current="page"]').innerText(), /^Page 2 of \d+$/);
    const secondPage = await commentIds();
    assert.ok(secondPage.length >= 1, 'page 2 shows comments');
    assert.deepEqual(secondPage.filter((id) => firstPage.includes(id)), [], 'page 2 shows other comments than page 1');
  });

  it('"Previous page" leads back to page 1', async () => {
    await pager().getByRole('link', { name: 'Previous page' }).click();
    await page.waitForURL((url) => (url.searchParams.get('page') ?? '1') === '1');
    assert.match(await pager().locator('[aria-current="page"]').innerText(), /^Page 1 of \d+$/);
  });
});

function readingAClosedConsultation(title, { javaScriptEnabled }) {
  describe(title, () => {
    let page;
    let problems;
    withPage(() => browser, { javaScriptEnabled }, (opened) => {
      page = opened;
      problems = watchForErrors(page);
    });

    it('the home page groups consultations under Open now, Opening soon and Closed', async () => {
      await visit(page, server.url('/'));
      assert.equal(await page.locator('h1').innerText(), 'Have your say');
      const sections = await page.locator('main section h2').allInnerTexts();
      assert.deepEqual(sections, ['Open now', 'Opening soon', 'Closed'], 'section headings on the home page');
      for (const heading of ['open-heading', 'upcoming-heading', 'closed-heading']) {
        const cards = page.locator(`section[aria-labelledby="${heading}"] .card`);
        assert.ok((await cards.count()) >= 1, `the "${heading}" section has at least one consultation card`);
      }
    });

    it('clicking the Police and Crime Plan card under Closed opens the consultation', async () => {
      const closed = page.locator('section[aria-labelledby="closed-heading"]');
      const card = closed.getByRole('link', { name: /Police and Crime Plan/ });
      assert.ok(await card.isVisible(), 'the closed section shows a link to the Police and Crime Plan');
      await card.click();
      await page.waitForURL((url) => url.pathname === POLICE_PLAN);
      assert.match(await page.locator('h1').innerText(), /Police and Crime Plan 2025-29/);
    });

    it('the consultation page says it is closed, how many responded and when it ran', async () => {
      // The demo has published what we heard, so the label says so; the deadline line says closed.
      const status = page.locator('.page-head .status');
      assert.ok(await status.isVisible(), 'the status label is visible');
      assert.equal(await status.innerText(), 'Results published');
      assert.match(await page.locator('.page-head .deadline').innerText(), /^Closed on 12 February 2025$/);

      const facts = (await page.locator('.page-head .facts').innerText()).replace(/\s+/g, ' ');
      assert.ok(facts.includes('1,622 Londoners have responded'), `response count in "${facts}"`);
      assert.match(facts, /18 December 2024 - 12 February 2025/, 'the date range is shown');
      const datetimes = await page.locator('.page-head .facts time').evaluateAll((ts) => ts.map((t) => t.dateTime));
      assert.deepEqual(datetimes, ['2024-12-18', '2025-02-12'], 'the dates are machine-readable <time datetime>');

      const notice = page.locator('section[aria-labelledby="respond-heading"] .notice');
      assert.match(await notice.innerText(), /has closed/, 'ways to respond says the consultation has closed');
    });

    it('the consultation page lists the three objectives of the plan and a timeline', async () => {
      const objectives = await page.locator('ol.objectives > li > h3').allInnerTexts();
      assert.deepEqual(objectives, OBJECTIVES);

      const events = page.locator('ol.timeline > li');
      assert.ok((await events.count()) >= 2, 'the timeline has its events');
      const dates = await events.locator('time').evaluateAll((ts) => ts.map((t) => t.dateTime));
      for (const d of dates) assert.match(d, /^\d{4}-\d{2}-\d{2}$/, 'each timeline date has an ISO datetime');
    });

    it('clicking "Safety in public spaces" under Ways to respond opens the discussion', async () => {
      const respond = page.locator('section[aria-labelledby="respond-heading"]');
      await respond.getByRole('link', { name: 'Safety in public spaces' }).click();
      await page.waitForURL((url) => url.pathname === SAFETY_DISCUSSION);
      assert.equal(await page.locator('h1').innerText(), 'Safety in public spaces');
    });

    it('the discussion shows its introduction, the questions, who hosts it and that it has closed', async () => {
      const intro = await page.locator('section.intro p').allInnerTexts();
      assert.ok(intro.length >= 1 && intro[0].trim().length > 20, 'the introduction is shown');

      const questions = page.locator('ul.questions > li');
      assert.ok((await questions.count()) >= 1, 'the discussion questions are listed');
      for (const q of await questions.allInnerTexts()) assert.match(q, /\?$/, `"${q}" reads as a question`);

      const hosts = await page.locator('aside.guidance p').first().innerText();
      assert.match(hosts, /^.+ will be joining in the discussion below\.$/, 'the hosts line names the hosts');

      const notice = page.getByRole('note');
      assert.ok(await notice.isVisible(), 'the closed notice is visible');
      assert.match(await notice.innerText(), /closed on 12 February 2025.*no longer add comments/);
      assert.ok(await page.getByText('Comments are closed.', { exact: true }).isVisible(), '"Comments are closed." is shown');
    });

    it('each comment is an article with its author, a badge and a machine-readable date', async () => {
      const heading = await page.locator('#comments').innerText();
      assert.match(heading, /^[\d,]+ comments?$/, 'the comments heading gives the count');

      const comments = await page.locator('article.comment').evaluateAll((articles) =>
        articles.map((a) => ({
          id: a.id,
          labelledBy: a.getAttribute('aria-labelledby'),
          authorId: a.querySelector('.author')?.id,
          author: a.querySelector('header .author')?.textContent.trim(),
          badge: a.querySelector('header .badge')?.textContent.trim(),
          datetime: a.querySelector('header time')?.getAttribute('datetime'),
          ago: a.querySelector('header time')?.textContent.trim(),
          body: a.querySelector('.comment-body')?.textContent.trim(),
        })),
      );
      assert.ok(comments.length >= 1, 'the discussion shows comments');
      assert.ok(comments.length <= Number(heading.replace(/\D/g, '')), 'no more comments than the heading counts');
      for (const c of comments) {
        assert.ok(c.author, `${c.id} has an author`);
        assert.equal(c.labelledBy, c.authorId, `${c.id} is named by its author heading`);
        assert.ok(c.badge, `${c.id} has a badge`);
        assert.ok(c.datetime && !Number.isNaN(Date.parse(c.datetime)), `${c.id} has <time datetime> ("${c.datetime}")`);
        assert.ok(c.ago, `${c.id} says when it was posted`);
        assert.ok(c.body, `${c.id} has text`);
      }
    });

    it('a long comment is cut; "Show full comment" shows the rest and then reads "Show less of comment"', async () => {
      const comment = firstLongComment(page);
      assert.equal(await comment.count(), 1, 'the discussion has at least one long comment');
      const details = comment.locator('details.full-comment');
      const summary = details.locator('summary');
      const rest = details.locator('p').first();

      assert.equal(await details.getAttribute('open'), null, 'the long comment starts closed');
      assert.equal(await rest.isVisible(), false, 'the rest of the comment is hidden at first');
      assert.ok((await summary.innerText()).startsWith('Show full comment'), 'the summary offers the full comment');
      assert.equal(await summary.locator('.when-open').isVisible(), false, '"Show less of comment" is not shown yet');

      await summary.click();
      await rest.waitFor({ state: 'visible' });
      assert.notEqual(await details.getAttribute('open'), null, 'details is open');
      assert.ok((await summary.innerText()).startsWith('Show less of comment'), 'the summary now offers less');
      assert.equal(await summary.locator('.when-closed').isVisible(), false, '"Show full comment" is gone');
      const ellipsis = comment.locator('.ellipsis');
      if (await ellipsis.count()) {
        assert.equal(await ellipsis.isVisible(), false, 'the ellipsis goes once the comment is whole');
      }
    });

    it('the keyboard opens and closes a long comment too (Enter and Space on the summary)', async () => {
      const details = firstLongComment(page).locator('details.full-comment');
      const summary = details.locator('summary');
      const rest = details.locator('p').first();
      assert.notEqual(await details.getAttribute('open'), null, 'the comment is open from the previous step');

      await summary.focus();
      assert.ok(await summary.evaluate((s) => s === document.activeElement), 'the summary takes keyboard focus');

      await page.keyboard.press('Enter');
      await rest.waitFor({ state: 'hidden' });
      assert.equal(await details.getAttribute('open'), null, 'Enter closes the comment');
      assert.ok((await summary.innerText()).startsWith('Show full comment'));

      await page.keyboard.press('Space');
      await rest.waitFor({ state: 'visible' });
      assert.notEqual(await details.getAttribute('open'), null, 'Space opens the comment');
      assert.ok((await summary.innerText()).startsWith('Show less of comment'));

      const focus = await summary.evaluate((s) => {
        const style = getComputedStyle(s);
        return { visible: s.matches(':focus-visible'), outline: style.outlineStyle, width: style.outlineWidth };
      });
      assert.ok(focus.visible && focus.outline !== 'none' && focus.width !== '0px',
        `the focused summary shows a focus outline (${JSON.stringify(focus)})`);
    });

    it('every page on the way loaded without console errors or failed requests', () => {
      assert.deepEqual(problems, []);
    });
  });
}
