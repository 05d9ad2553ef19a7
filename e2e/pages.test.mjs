// Browser tests of Haven's public pages, in Debian's Chromium (never a
// downloaded browser): every page, at 360x640 and 320 px wide, has no axe
// violation of WCAG 2.0/2.1/2.2 A and AA, asks no other origin for
// anything, does not scroll sideways, and has tap targets of 44x44 CSS px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = join(here, 'artifacts');
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const viewports = [
  { name: 'phone', width: 360, height: 640 },
  { name: 'narrow', width: 320, height: 640 },
];

let server;
let browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  mkdirSync(artifacts, { recursive: true });
  server = await startServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A browser context that records every request to another origin and every CSP report. */
async function newContext(viewport) {
  const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height }, deviceScaleFactor: 1 });
  const origin = new URL(server.url).origin;
  const foreign = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin !== origin) {
      foreign.push(url);
      return route.abort();
    }
    return route.continue();
  });
  return { context, foreign };
}

function watch(page) {
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/favicon\.ico/.test(msg.text()) && !/status of 404/.test(msg.text())) {
      problems.push(`console: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return problems;
}

/** The help flow's pages: each question page, and plans of every kind. */
const helpPages = [
  '/help',
  '/help?step=2&danger=yes',
  '/help?step=3&danger=yes&role=self',
  '/help?step=4&role=other&sex=yes&ffc=unsure',
  '/help?step=5&role=self&labor=yes&ffc=no',
  '/help/plan?danger=yes&role=other&minor=yes&sex=yes',
  '/help/plan?role=self&labor=yes&ffc=unsure&channel=text&no_police=yes',
  '/help/plan?visa_fraud=yes&visa_program=H-2A&anonymous=yes&discrimination=yes',
  '/help/plan?role=learn',
  '/help/plan?outside_us=yes&minor=yes&online_child_abuse=yes',
];

/** Visits / and /services and returns every public page reachable from them. */
async function crawl() {
  const { context } = await newContext(viewports[0]);
  const page = await context.newPage();
  const found = new Set(['/', '/services', '/services?topic=child_sexual_exploitation&law_enforcement=false']);
  for (const start of ['/', '/services']) {
    await page.goto(server.url + start);
    const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
    for (const h of hrefs) {
      if (/^\/(services|organizations)\/[a-z0-9-]+$/.test(h)) found.add(h);
    }
  }
  // The help flow: every question page, with and without earlier answers,
  // and plans of every shape (with 911 on top, preferring text, learning).
  await page.goto(server.url + '/');
  const homeLinks = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(homeLinks.includes('/help'), 'the home page does not link /help');
  for (const p of helpPages) found.add(p);
  // Organizations are reached from their services' pages.
  for (const p of [...found].filter((p) => p.startsWith('/services/'))) {
    await page.goto(server.url + p);
    const hrefs = await page.$$eval('a[href^="/organizations/"]', (as) => as.map((a) => a.getAttribute('href')));
    hrefs.forEach((h) => found.add(h));
  }
  await context.close();
  return [...found];
}

/** Runs axe-core in the page, injected through the DevTools protocol so the page's CSP still holds. */
async function axe(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  });
}

/**
 * Tap targets smaller than 44x44 CSS px. Exempt, as WCAG 2.5.8 allows:
 * a link inside a sentence (displayed inline, among other text of its block).
 * Checkboxes and radios need 24x24, the WCAG 2.5.8 minimum; their labels
 * carry the larger target.
 */
function smallTargets(page) {
  return page.evaluate(() => {
    const out = [];
    const blockOf = (el) => {
      let b = el.parentElement;
      while (b && getComputedStyle(b).display.startsWith('inline')) b = b.parentElement;
      return b;
    };
    for (const el of document.querySelectorAll('a[href], button, summary, select, input, textarea')) {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none' || r.width === 0 || r.bottom < 0) continue;
      const min = el.matches('input[type=checkbox], input[type=radio]') ? 24 : 44;
      if (r.width >= min && r.height >= min) continue;
      if (el.tagName === 'A' && style.display === 'inline') {
        const block = blockOf(el);
        const all = (block?.textContent || '').replace(/\s+/g, ' ').trim();
        const own = (el.textContent || '').replace(/\s+/g, ' ').trim();
        if (all.length > own.length) continue; // a link in a sentence
      }
      out.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('name') || '').trim().slice(0, 40)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
    return out;
  });
}

test('every public page passes in a phone browser', { timeout: 15 * 60_000 }, async (t) => {
  const pages = await crawl();
  assert.ok(pages.length >= 40, `crawled only ${pages.length} pages`);
  assert.ok(pages.includes('/services/nhth') && pages.includes('/organizations/polaris'), 'crawl missed known pages');

  for (const vp of viewports) {
    const { context, foreign } = await newContext(vp);
    const page = await context.newPage();
    const problems = watch(page);
    for (const path of pages) {
      await t.test(`${vp.name} ${vp.width}px ${path}`, async () => {
        problems.length = 0;
        const res = await page.goto(server.url + path, { waitUntil: 'load' });
        assert.equal(res.status(), 200, `${path}: status ${res.status()}`);

        const violations = await axe(page);
        assert.deepEqual(violations, [], `${path}: axe violations:\n${JSON.stringify(violations, null, 2)}`);

        const { scrollWidth, innerWidth } = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth,
        }));
        assert.ok(scrollWidth <= innerWidth, `${path}: scrolls sideways at ${vp.width}px (${scrollWidth} > ${innerWidth})`);

        const small = await smallTargets(page);
        assert.deepEqual(small, [], `${path}: tap targets under 44x44:\n${small.join('\n')}`);

        // The first link after the skip link is the quick exit.
        const first = await page.$$eval('a[href]', (as) => as.slice(0, 2).map((a) => ({ cls: a.className, href: a.href, rel: a.rel })));
        assert.equal(first[0].cls, 'skip');
        assert.equal(first[1].cls, 'exit');
        assert.equal(first[1].rel, 'noreferrer');

        // The stylesheet applied: the page is not unstyled under the CSP.
        const bg = await page.evaluate(() => getComputedStyle(document.querySelector('.exit')).backgroundColor);
        assert.notEqual(bg, 'rgba(0, 0, 0, 0)', `${path}: the stylesheet did not apply`);

        assert.deepEqual(problems, [], `${path}: ${problems.join('\n')}`);
        assert.deepEqual(foreign, [], `${path}: requests to other origins: ${foreign.join(', ')}`);
      });
    }
    await context.close();
  }
});

test('keyboard: the skip link and the quick exit come first and show focus', async () => {
  const { context } = await newContext(viewports[0]);
  const page = await context.newPage();
  await page.goto(server.url + '/');
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const el = document.activeElement;
    const r = el.getBoundingClientRect();
    return { cls: el.className, top: r.top, outline: getComputedStyle(el).outlineStyle };
  });
  assert.equal(skip.cls, 'skip');
  assert.ok(skip.top >= 0, 'the focused skip link is on screen');
  assert.notEqual(skip.outline, 'none', 'the focused skip link shows focus');
  await page.keyboard.press('Tab');
  const exit = await page.evaluate(() => ({ cls: document.activeElement.className, outline: getComputedStyle(document.activeElement).outlineStyle }));
  assert.equal(exit.cls, 'exit');
  assert.notEqual(exit.outline, 'none', 'the focused quick exit shows focus');
  await context.close();
});

/** Presses Tab until the focused element matches selector (at most 60 times). */
async function tabTo(page, selector) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
  }
  assert.fail(`Tab never reached ${selector} on ${page.url()}`);
}

/** Presses key on the focused element and waits for the page it opens. */
async function pressAndGo(page, key, urlPattern) {
  await Promise.all([page.waitForURL(urlPattern), page.keyboard.press(key)]);
  await page.waitForLoadState('load');
}

test('keyboard only: from the home page through the help flow to a plan', async () => {
  const { context, foreign } = await newContext(viewports[0]);
  const page = await context.newPage();
  await page.goto(server.url + '/');
  await tabTo(page, 'a[href="/help"]');
  await pressAndGo(page, 'Enter', /\/help$/);

  // 1: someone is in danger (Space ticks the first radio of the group).
  await tabTo(page, '#a-danger-yes');
  await page.keyboard.press('Space');
  await tabTo(page, 'button[type=submit]');
  await pressAndGo(page, 'Enter', /step=2/);
  assert.equal(await page.$eval('main a.btn-emergency', (a) => a.getAttribute('href')), 'tel:911', '911 is not on top after danger=yes');

  // 2: it is happening to me.
  await tabTo(page, '#a-role-self');
  await page.keyboard.press('Space');
  await tabTo(page, 'button[type=submit]');
  await pressAndGo(page, 'Enter', /step=3/);

  // 3: labor, with force, fraud or coercion.
  await tabTo(page, '#a-what-labor');
  await page.keyboard.press('Space');
  await tabTo(page, '#a-ffc-yes');
  await page.keyboard.press('Space');
  await tabTo(page, 'button[type=submit]');
  await pressAndGo(page, 'Enter', /step=4/);

  // 4: skipped.
  await tabTo(page, 'a.btn-secondary');
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Skip');
  await pressAndGo(page, 'Enter', /step=5/);

  // 5: rather not the police; prefers a call. Enter on the button shows the plan.
  await tabTo(page, '#a-prefs-no_police');
  await page.keyboard.press('Space');
  await tabTo(page, '#a-channel-call');
  await page.keyboard.press('Space');
  await tabTo(page, 'button[type=submit]');
  await pressAndGo(page, 'Enter', /\/help\/plan/);

  const q = new URL(page.url()).searchParams;
  for (const [k, v] of [['danger', 'yes'], ['role', 'self'], ['labor', 'yes'], ['ffc', 'yes'], ['no_police', 'yes'], ['channel', 'call']]) {
    assert.equal(q.get(k), v, `the plan was asked without ${k}=${v}: ${page.url()}`);
  }
  const steps = await page.$$eval('.plan-step', (ls) => ls.map((l) => ({ service: l.dataset.service, le: l.querySelector('.mark-le') !== null })));
  assert.ok(steps.length >= 3, `only ${steps.length} steps`);
  assert.equal(steps[0].service, 'emergency-911', 'someone is in danger: 911 comes first');
  // Avoiding the police: after 911, every step that is not law enforcement comes before any that is.
  const rest = steps.slice(1).map((s) => s.le);
  assert.deepEqual(rest, [...rest].sort((a, b) => a - b), `law enforcement before other services: ${JSON.stringify(steps)}`);
  // The steps are reachable by keyboard too: Tab reaches the first step's button.
  await tabTo(page, '.plan-step a.btn');
  assert.deepEqual(foreign, []);
  await context.close();
});

test('the filter form works without JavaScript', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(server.url + '/services');
  await page.click('summary');
  await page.selectOption('#f-topic', 'child_sexual_exploitation');
  await page.check('#f-le');
  await Promise.all([page.waitForURL(/topic=child_sexual_exploitation/), page.click('button[type=submit]')]);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('law_enforcement'), 'false');
  const listed = await page.$$eval('.card-title a', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(listed.includes('/services/ncmec-cybertipline'), `listed: ${listed}`);
  assert.ok(!listed.includes('/services/nhth'), `listed: ${listed}`);
  await context.close();
});

test('screenshots at 360x640', async () => {
  const { context } = await newContext(viewports[0]);
  const page = await context.newPage();
  for (const [name, path] of [['home', '/'], ['services', '/services'], ['nhth', '/services/nhth']]) {
    await page.goto(server.url + path);
    await page.screenshot({ path: join(artifacts, `${name}.png`) });
  }
  for (const [name, path] of [
    ['help-step3', '/help?step=3&danger=yes&role=self'],
    ['plan', '/help/plan?danger=yes&role=other&minor=yes&sex=yes'],
    ['plan-labor', '/help/plan?role=self&labor=yes&ffc=unsure&channel=text&no_police=yes&discrimination=yes'],
  ]) {
    await page.goto(server.url + path);
    await page.screenshot({ path: join(artifacts, `${name}.png`) });
  }
  await page.goto(server.url + '/help/plan?danger=yes&role=other&minor=yes&sex=yes');
  await page.screenshot({ path: join(artifacts, 'plan-full.png'), fullPage: true });
  await page.goto(server.url + '/');
  await page.screenshot({ path: join(artifacts, 'home-phone.png') });
  await context.close();
});
