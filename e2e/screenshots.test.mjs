// Screenshots at 360x640, written to artifacts/ (not committed): the home
// page in English, Arabic and Khmer (home-phone*.png, for the README and
// to see that every script renders: boxes mean the machine lacks fonts),
// and the main pages in English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer } from './server.mjs';
import { launchBrowser, newContext, artifacts, catalogs } from './lib.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * Whether the letters of script in the element render as real glyphs:
 * Chromium draws every letter it has no font for as the same empty box, so
 * a few different letters drawn alone on a canvas (in the element's font)
 * must give different pictures.
 */
function glyphsRender(page, selector, script) {
  return page.evaluate(([sel, source]) => {
    const el = document.querySelector(sel);
    const re = new RegExp(source, 'gu');
    const letters = [...new Set(el.textContent.match(re) || [])].slice(0, 6);
    const canvas = document.createElement('canvas');
    canvas.width = 48;
    canvas.height = 48;
    const g = canvas.getContext('2d');
    g.font = `32px ${getComputedStyle(el).fontFamily}`;
    const pictures = new Set(letters.map((ch) => {
      g.clearRect(0, 0, 48, 48);
      g.fillText(ch, 4, 36);
      return canvas.toDataURL();
    }));
    return { letters: letters.join(''), distinct: pictures.size };
  }, [selector, script.source]);
}

/** The script each locale is written in, for the glyph check. */
const scripts = {
  en: 'Latin', ar: 'Arabic', es: 'Latin', fr: 'Latin', ht: 'Latin', km: 'Khmer', ko: 'Hangul',
  'pt-BR': 'Latin', ru: 'Cyrillic', tl: 'Latin', vi: 'Latin', 'zh-Hans': 'Han',
};

test('the home page on a phone, in English, Arabic and Khmer; every script renders', async () => {
  const { context } = await newContext(browser, server);
  const page = await context.newPage();
  const shots = { en: 'home-phone.png', ar: 'home-phone-ar.png', km: 'home-phone-km.png' };
  const missing = [];
  for (const { tag } of catalogs()) {
    await page.goto(`${server.url}/${tag}/`);
    await page.evaluate(() => document.fonts.ready);
    if (shots[tag]) await page.screenshot({ path: join(artifacts, shots[tag]) });
    const script = scripts[tag];
    if (!script) continue;
    const h1 = await page.textContent('h1');
    const drawn = await glyphsRender(page, 'h1', new RegExp(`\\p{Script=${script}}`, 'u'));
    assert.ok(drawn.letters.length >= 3, `${tag}: too few ${script} letters to compare in "${h1}"`);
    if (drawn.distinct < 2) missing.push(`${tag} (${script}: ${drawn.letters})`);
  }
  assert.deepEqual(missing, [], `letters that all render as the same box: this machine has no font for them `
    + '(apt-get install fonts-noto-core fonts-noto-cjk; .ci/run installs them)');
  await context.close();
});

test('screenshots of the main pages in English', async () => {
  const { context } = await newContext(browser, server);
  const page = await context.newPage();
  for (const [name, path, fullPage] of [
    ['services', '/en/services'],
    ['nhth', '/en/services/nhth'],
    ['help-step3', '/en/help?step=3&danger=yes&role=self'],
    ['plan', '/en/help/plan?danger=yes&role=other&minor=yes&sex=yes'],
    ['plan-labor', '/en/help/plan?role=self&labor=yes&ffc=unsure&channel=text&no_police=yes&discrimination=yes'],
    ['plan-full', '/en/help/plan?danger=yes&role=other&minor=yes&sex=yes', true],
    ['report', '/en/report'],
    ['home-ar-full', '/ar/', true],
  ]) {
    await page.goto(server.url + path);
    await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: !!fullPage });
  }
  await context.close();
});
