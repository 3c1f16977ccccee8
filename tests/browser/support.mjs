// Shared helpers for heard's browser tests: start the demo server on a free port, launch Debian's
// Chromium through playwright-core, run axe-core, and name the pages every test visits.
//
// Each test file starts its own server (fresh data directory, own port) and its own browser in a
// `before` hook, and stops both in `after`, so files never share state.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before } from 'node:test';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import axe from 'axe-core';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

// The workspace root; the server runs there so the demo finds `../shared/seeds` when it exists.
export const REPO_ROOT = path.resolve(here, '../..');

// The password of every account the browser tests create.
export const PASSWORD = 'correct horse battery staple';

// Where screenshots go (git-ignored).
export const ARTIFACTS_DIR = path.join(here, 'artifacts');

export const HEARD_BIN = process.env.HEARD_BIN ?? path.resolve(here, '../../target/debug/heard');

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

// The WCAG levels heard promises (WCAG 2.2 AA), as axe-core tags.
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export const WIDE = { width: 1280, height: 800 };
export const NARROW = { width: 360, height: 800 };

export const POLICE_PLAN = '/consultations/police-and-crime-plan-2025-29';
export const SAFETY_DISCUSSION = `${POLICE_PLAN}/discussions/safety-in-public-spaces`;
export const VIOLENCE_DISCUSSION = `${POLICE_PLAN}/discussions/preventing-violence`;
export const PARKS = '/consultations/parks-after-dark';
export const PARKS_DISCUSSION = `${PARKS}/discussions/what-would-help`;
export const TRANSPORT = '/consultations/local-transport-plan';
// Page 2 of a discussion, with small pages so that there is one whatever the demo data.
export const SAFETY_PAGE_2 = `${SAFETY_DISCUSSION}?per_page=10&page=2`;
export const NOT_FOUND = '/no-such-page';
export const NO_SUCH_CONSULTATION = '/consultations/no-such-consultation';

// Every kind of page a member of the public can reach.
export const PAGES = [
  { name: 'home', path: '/' },
  { name: 'closed consultation (Police and Crime Plan)', path: POLICE_PLAN },
  { name: 'what we heard (Police and Crime Plan)', path: `${POLICE_PLAN}/results` },
  { name: 'open consultation (Parks after dark)', path: PARKS },
  { name: 'upcoming consultation (Local Transport Plan)', path: TRANSPORT },
  { name: 'discussion: Safety in public spaces', path: SAFETY_DISCUSSION },
  { name: 'discussion: Safety in public spaces, page 2', path: SAFETY_PAGE_2 },
  { name: 'discussion: Preventing violence', path: VIOLENCE_DISCUSSION },
  { name: 'discussion: What would help (open)', path: PARKS_DISCUSSION },
  { name: 'community guidelines', path: '/guidelines' },
  { name: 'support', path: '/support' },
  { name: 'accessibility statement', path: '/accessibility' },
  { name: 'privacy notice', path: '/privacy' },
  { name: 'not found (404), unknown path', path: NOT_FOUND, status: 404 },
  { name: 'not found (404), unknown consultation', path: NO_SUCH_CONSULTATION, status: 404 },
];

// Asks the OS for a free TCP port on the loopback address.
export async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

// Starts `heard demo` on a fresh data directory and a free port; resolves once it is serving.
// With `mail`, it sends mail through the SMTP server `scripts/test` starts (HEARD_TEST_SMTP_URL),
// which files it in HEARD_TEST_MAILDIR (read it with `waitForMail`).
// Returns `{ baseUrl, url(path), stop() }`.
export async function startHeard({ timeoutMs = 60_000, mail = false } = {}) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'heard-browser-'));
  const port = await freePort();
  const args = ['demo', '--data-dir', dataDir, '--addr', `127.0.0.1:${port}`];
  if (mail) {
    const smtp = process.env.HEARD_TEST_SMTP_URL;
    if (!smtp || !process.env.HEARD_TEST_MAILDIR) {
      throw new Error('HEARD_TEST_SMTP_URL and HEARD_TEST_MAILDIR are not set: run the browser tests with scripts/test, which starts an SMTP server');
    }
    args.push('--smtp-url', smtp, '--mail-from', 'heard <no-reply@heard.test>', '--public-url', `http://127.0.0.1:${port}`);
  }
  // HEARD_DEMO_SEEDS names another seed folder; an empty one makes the demo generate its comments.
  if (process.env.HEARD_DEMO_SEEDS) args.push('--seeds', process.env.HEARD_DEMO_SEEDS);
  const child = spawn(HEARD_BIN, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let output = '';
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`heard did not start within ${timeoutMs} ms. Output:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk) => {
      output += chunk;
      const m = output.match(/heard is serving on (http:\/\/\S+?)\/?\s/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${HEARD_BIN} (build it with \`cargo build -p heard\`, or set HEARD_BIN): ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`heard exited (code ${code}, signal ${signal}) before serving. Output:\n${output}`));
    });
  });

  let baseUrl;
  try {
    baseUrl = await ready;
  } catch (err) {
    child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  // Keep draining the pipes so the server never blocks on a full one.
  child.stdout.resume();
  child.stderr.resume();
  // If this test process ends without running its `after` hooks, take the server down with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  return {
    baseUrl,
    dataDir,
    url: (p) => new URL(p, baseUrl).href,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

// Creates an account in a running demo's data directory with `heard users create` (the password
// goes on standard input, as an operator would type it).
export async function createAccount(dataDir, { role, email, name, password }) {
  const child = spawn(HEARD_BIN, ['users', 'create', '--role', role, '--email', email, '--name', name, '--data-dir', dataDir], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', HEARD_LOG: 'warn' },
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
  child.stdin.end(`${password}\n`);
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`heard users create failed (${code}): ${output}`);
}

// Launches headless Chromium (Debian's; playwright never downloads a browser here).
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// A new context and page. `javaScriptEnabled: false` browses as a user without JavaScript;
// `bypassCSP: true` lets axe-core be injected past heard's `script-src 'self'` policy.
export async function openPage(browser, { viewport = WIDE, javaScriptEnabled = true, bypassCSP = false } = {}) {
  const context = await browser.newContext({ viewport, javaScriptEnabled, bypassCSP, reducedMotion: 'reduce' });
  // A page that is wrong should fail in seconds, not after playwright's default 30 s.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  return { context, page };
}

// Navigates and checks the HTTP status a user would get.
export async function visit(page, url, { status = 200 } = {}) {
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response) throw new Error(`no response for ${url}`);
  if (response.status() !== status) {
    throw new Error(`${url} answered HTTP ${response.status()}, expected ${status}`);
  }
  return response;
}

// Runs axe-core on the page with heard's WCAG tags; returns the violations, plain data.
// The page's context must have been made with `bypassCSP: true`.
export async function axeViolations(page) {
  await page.addScriptTag({ content: axe.source });
  return page.evaluate(async (tags) => {
    const results = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.map(String),
        html: n.html,
        failureSummary: n.failureSummary,
      })),
    }));
  }, AXE_TAGS);
}

// Violations as a message a developer can act on: rule, impact, what to do, where, and the markup.
export function formatViolations(violations, where) {
  if (violations.length === 0) return `no accessibility violations on ${where}`;
  const lines = [`${violations.length} accessibility rule(s) violated on ${where}:`];
  for (const v of violations) {
    lines.push('', `[${v.impact ?? 'unknown'}] ${v.id}: ${v.help}`, `    see ${v.helpUrl}`);
    for (const n of v.nodes.slice(0, 5)) {
      lines.push(`    at ${n.target.join(' ')}`);
      lines.push(`       ${truncate(n.html.replace(/\s+/g, ' '), 200)}`);
      if (n.failureSummary) {
        for (const s of n.failureSummary.split('\n')) lines.push(`       ${s.trim()}`);
      }
    }
    if (v.nodes.length > 5) lines.push(`    ... and ${v.nodes.length - 5} more element(s)`);
  }
  return lines.join('\n');
}

// Fails with every violation spelt out, unless axe-core finds none on the page.
export async function assertNoViolations(page, where) {
  const violations = await axeViolations(page);
  assert.equal(violations.length, 0, formatViolations(violations, where));
}

// Signs in through the login form and waits to be sent on to `next`, as a person would.
export async function signIn(page, server, { email, password }, next = '/') {
  await visit(page, server.url(`/login?next=${encodeURIComponent(next)}`));
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === next);
}

// Where to save a screenshot, creating the folder on first use.
export async function artifactPath(fileName) {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, fileName);
}

// The first comment on the page that is long enough to be cut, as a locator.
export function firstLongComment(page) {
  return page.locator('article.comment').filter({ has: page.locator('details.full-comment') }).first();
}

// What the browser exposes to assistive technology for one element (Chromium's accessibility
// tree, read over the DevTools protocol): `{ role, name, properties: { expanded, focusable, ... } }`.
export async function accessibilityNode(page, selector) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
    if (!nodeId) throw new Error(`no element matches ${selector}`);
    const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
    const node = nodes[0];
    const properties = Object.fromEntries((node.properties ?? []).map((p) => [p.name, p.value?.value]));
    return { role: node.role?.value, name: node.name?.value, ignored: node.ignored, properties };
  } finally {
    await cdp.detach();
  }
}

// Console errors and failed requests on a page, so a journey can assert the page loaded cleanly
// (a CSP block or a missing stylesheet shows up here).
// The site icon is left out here: semantics.test.mjs checks it on its own, so a missing icon does
// not hide a real error.
export function watchForErrors(page) {
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.location().url?.endsWith('/favicon.ico')) errors.push(`console error: ${msg.text()} (${msg.location().url || page.url()})`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    // A subresource still loading when the page navigates away (the favicon, after a form posts
    // and redirects) is aborted by the browser: that is the navigation, not a broken request.
    const aborted = req.failure()?.errorText === 'net::ERR_ABORTED' && req.resourceType() !== 'document';
    if (!aborted) errors.push(`request failed: ${req.url()} (${req.failure()?.errorText})`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400 && res.request().resourceType() !== 'document') {
      errors.push(`HTTP ${res.status()} for ${res.url()}`);
    }
  });
  return errors;
}

function truncate(text, max) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Starts heard and a browser before a file's tests and stops both after them; `onStart` receives
 * `{ server, browser }` once both are up.
 */
export function withHeardAndBrowser(onStart, options = {}) {
  let started = {};
  before(async () => {
    started = { server: await startHeard(options), browser: await launchBrowser() };
    onStart(started);
  });
  after(async () => {
    await started.browser?.close();
    await started.server?.stop();
  });
}

/**
 * Opens a page (in a context of its own, with `openPage`'s options) before a `describe`'s tests and
 * closes it after them; `onOpen` receives the page (and may be async). `getBrowser` is called once the browser is up.
 */
export function withPage(getBrowser, options, onOpen) {
  let context;
  before(async () => {
    let page;
    ({ context, page } = await openPage(getBrowser(), options));
    await onOpen(page);
  });
  after(async () => {
    await context?.close();
  });
}

// The newest message the test SMTP server filed for `to` (with quoted-printable undone), waiting up
// to 10 s for it; `count` waits for that many.
export async function waitForMail(to, { count = 1, timeoutMs = 10_000 } = {}) {
  const { readdir, readFile } = await import('node:fs/promises');
  const maildir = process.env.HEARD_TEST_MAILDIR;
  const start = Date.now();
  for (;;) {
    const found = [];
    for (const folder of ['new', 'cur']) {
      let names = [];
      try { names = await readdir(path.join(maildir, folder)); } catch { continue; }
      for (const name of names) {
        const text = await readFile(path.join(maildir, folder, name), 'utf8');
        const headers = text.split(/\r?\n\r?\n/, 1)[0];
        if (headers.split(/\r?\n/).some((l) => /^to:/i.test(l) && l.includes(to))) {
          found.push(text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))));
        }
      }
    }
    if (found.length >= count) return found;
    if (Date.now() - start > timeoutMs) throw new Error(`no mail to ${to} arrived in ${maildir}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
