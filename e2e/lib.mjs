// Shared by the browser tests: one Chromium (Debian's, never a downloaded
// one), contexts that record every request and block other origins, the
// quick-exit site faked, axe-core, tap-target and reflow measurements.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { repo } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const artifacts = join(here, 'artifacts');
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** The quick-exit site of the U.S. pack. It is never loaded: the tests fake it. */
export const EXIT_URL = 'https://www.weather.gov/';

/** What the tests' fake quick-exit site answers. */
const EXIT_PAGE = '<!doctype html><html lang="en"><title>Weather</title><p>Weather</p></html>';

/** The transfer budget of one page's first view: what fits in TCP's first round trip. */
export const BUDGET_BYTES = 14 * 1024;

/** The locales the site must serve; the catalogs may add more. */
export const REQUIRED_LOCALES = ['en', 'ar', 'es', 'fr', 'ht', 'km', 'ko', 'pt-BR', 'ru', 'tl', 'vi', 'zh-Hans'];

const RTL_LANGUAGES = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'ps', 'sd', 'ug', 'ur', 'yi']);

/** The direction a locale is written in, from its language subtag (not from the catalog). */
export function expectedDir(tag) {
  return RTL_LANGUAGES.has(tag.split('-')[0]) ? 'rtl' : 'ltr';
}

/**
 * The message catalogs: [{ tag, name, reviewed }], read from
 * internal/i18n/locales/*.yaml (meta.name is the language's name in itself;
 * an empty meta.reviewed_by means no native speaker reviewed it).
 */
export function catalogs() {
  const dir = join(repo, 'internal', 'i18n', 'locales');
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => {
    const text = readFileSync(join(dir, f), 'utf8');
    const meta = /^meta:\n((?:[ \t]+.*\n|\n)*)/m.exec(text)?.[1] ?? '';
    const field = (k) => new RegExp(`^\\s+${k}:\\s*"([^"]*)"`, 'm').exec(meta)?.[1] ?? '';
    return { tag: f.slice(0, -'.yaml'.length), name: field('name'), reviewed: field('reviewed_by').trim() !== '' };
  });
}

export async function launchBrowser() {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  mkdirSync(artifacts, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Instrumentation run in every page before its own scripts: records any use
 * of cookies from script, Web Storage, IndexedDB or service workers.
 */
function spyOnStorage() {
  const used = [];
  const original = {};
  Object.defineProperty(window, '__havenUsed', { value: used });
  Object.defineProperty(window, '__havenOriginal', { value: original });
  for (const name of ['localStorage', 'sessionStorage']) {
    const d = Object.getOwnPropertyDescriptor(window, name);
    if (!d || !d.get) continue;
    original[name] = () => d.get.call(window);
    Object.defineProperty(window, name, { configurable: true, enumerable: true, get() { used.push(name); return d.get.call(window); } });
  }
  const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true,
    get() { used.push('document.cookie (read)'); return cookie.get.call(this); },
    set(v) { used.push('document.cookie (write)'); cookie.set.call(this, v); },
  });
  if (window.IDBFactory) {
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (...a) { used.push('indexedDB.open'); return open.apply(this, a); };
  }
  if (window.ServiceWorkerContainer) {
    const register = ServiceWorkerContainer.prototype.register;
    ServiceWorkerContainer.prototype.register = function (...a) { used.push('serviceWorker.register'); return register.apply(this, a); };
  }
  if (window.CookieStore) {
    const set = CookieStore.prototype.set;
    CookieStore.prototype.set = function (...a) { used.push('cookieStore.set'); return set.apply(this, a); };
  }
}

/**
 * A browser context that records every request (rec.requests, and
 * rec.foreign for other origins), aborts requests to other origins, and
 * answers the quick-exit site with a blank page (rec.exits) instead of
 * loading it. Routing turns Chromium's HTTP cache off, so every load is a
 * first view.
 */
export async function newContext(browser, server, { width = 360, height = 640, javaScriptEnabled = true } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, javaScriptEnabled });
  const origin = new URL(server.url).origin;
  const rec = { requests: [], foreign: [], exits: [] };
  context.on('request', (req) => {
    rec.requests.push(req);
    const url = req.url();
    if (/^https?:/.test(url) && new URL(url).origin !== origin) rec.foreign.push(url);
  });
  await context.route('**/*', (route) => {
    const req = route.request();
    const url = req.url();
    if (new URL(url).origin === origin) return route.continue();
    if (url === EXIT_URL) {
      rec.exits.push({ url, referer: req.headers().referer ?? null });
      return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: EXIT_PAGE });
    }
    return route.abort('blockedbyclient');
  });
  if (javaScriptEnabled) await context.addInitScript(spyOnStorage);
  return { context, rec, origin };
}

/** Console errors and uncaught exceptions of a page, in problems. */
export function watchConsole(page) {
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/status of 404/.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return problems;
}

/** Runs axe-core in the page (injected through the DevTools protocol, so the page's CSP still holds). */
export async function axe(page) {
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
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary, html: n.html.slice(0, 160) })),
    }));
  });
}

/**
 * Tap targets smaller than 44x44 CSS px in the header, main and the
 * footer's navigation (the language switcher included). Exempt, as WCAG
 * 2.5.8 allows: a link inside a sentence (displayed inline, among other
 * text of its block). Checkboxes and radios need 24x24, the WCAG 2.5.8
 * minimum; their labels carry the larger target.
 */
export function smallTargets(page) {
  return page.evaluate(() => {
    const out = [];
    const blockOf = (el) => {
      let b = el.parentElement;
      while (b && getComputedStyle(b).display.startsWith('inline')) b = b.parentElement;
      return b;
    };
    const sel = ['a[href]', 'button', 'summary', 'select', 'input:not([type=hidden])', 'textarea']
      .flatMap((s) => ['header', 'main', 'footer nav'].map((r) => `${r} ${s}`)).join(', ');
    for (const el of document.querySelectorAll(sel)) {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none' || r.width === 0) continue;
      if (el.closest('details:not([open])') && !el.matches('summary')) continue;
      const min = el.matches('input[type=checkbox], input[type=radio]') ? 24 : 44;
      if (r.width >= min - 0.01 && r.height >= min - 0.01) continue;
      if (el.tagName === 'A' && style.display === 'inline') {
        const block = blockOf(el);
        const all = (block?.textContent || '').replace(/\s+/g, ' ').trim();
        const own = (el.textContent || '').replace(/\s+/g, ' ').trim();
        if (all.length > own.length) continue; // a link in a sentence
      }
      const id = el.id ? `#${el.id}` : el.className ? `.${String(el.className).split(' ')[0]}` : '';
      out.push(`${el.tagName.toLowerCase()}${id} "${(el.textContent || el.getAttribute('name') || '').trim().slice(0, 40)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
    return out;
  });
}

/**
 * Whether the page scrolls sideways, and if so the widest elements that
 * stick out of the viewport.
 */
export function sideways(page) {
  return page.evaluate(() => {
    const h = document.documentElement;
    const out = { scrollWidth: h.scrollWidth, clientWidth: h.clientWidth, culprits: [] };
    if (h.scrollWidth <= h.clientWidth) return out;
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > h.clientWidth + 1 || r.left < -1) {
        const id = el.id ? `#${el.id}` : el.className ? `.${String(el.className).split(' ')[0]}` : '';
        out.culprits.push(`${el.tagName.toLowerCase()}${id} [${Math.round(r.left)}, ${Math.round(r.right)}] "${(el.textContent || '').trim().slice(0, 30)}"`);
      }
    }
    out.culprits = out.culprits.slice(0, 6);
    return out;
  });
}

/** Presses Tab until the focused element matches selector (at most 80 times). */
export async function tabTo(page, selector) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
  }
  assert.fail(`Tab never reached ${selector} on ${page.url()}`);
}

/** Presses key on the focused element and waits for the page it opens. */
export async function pressAndGo(page, key, urlPattern) {
  const [res] = await Promise.all([
    page.waitForNavigation({ url: urlPattern, waitUntil: 'load' }),
    page.keyboard.press(key),
  ]);
  return res;
}

/** A receipt as shown: 28 digits in seven groups of four. */
export const RECEIPT = /^\d{4}(?: \d{4}){6}$/;
