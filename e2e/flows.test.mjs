// What a person does, in Debian's Chromium at 360x640: the help flow and
// the tip form by keyboard only (English and Arabic), the quick exit (a
// click, Shift three times, and without JavaScript), a tip sent with and
// without JavaScript and followed on the receipt page (the operator's
// answer included), and the proof of work the report form's script solves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { startServer, haven, hasCommand } from './server.mjs';
import { launchBrowser, newContext, tabTo, pressAndGo, EXIT_URL, RECEIPT } from './lib.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ args: ['--tip-rate', '-1', '--tip-rate-source', '-1'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const noTips = 'the report form is closed: the server has no recovery key (needs `haven keys recovery`)';

for (const lang of ['en', 'ar']) {
  test(`${lang}: keyboard: the skip link and the quick exit come first and show focus`, async () => {
    const { context } = await newContext(browser, server);
    const page = await context.newPage();
    await page.goto(`${server.url}/${lang}/`);
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => {
      const el = document.activeElement;
      const r = el.getBoundingClientRect();
      return { cls: el.className, top: r.top, left: r.left, right: r.right, outline: getComputedStyle(el).outlineStyle };
    });
    assert.equal(skip.cls, 'skip');
    assert.ok(skip.top >= 0 && skip.left >= 0 && skip.right <= 360, `the focused skip link is off screen: ${JSON.stringify(skip)}`);
    assert.notEqual(skip.outline, 'none', 'the focused skip link shows focus');
    await page.keyboard.press('Tab');
    const exit = await page.evaluate(() => ({ cls: document.activeElement.className, outline: getComputedStyle(document.activeElement).outlineStyle }));
    assert.equal(exit.cls, 'exit');
    assert.notEqual(exit.outline, 'none', 'the focused quick exit shows focus');
    await context.close();
  });

  test(`${lang}: keyboard only: from the home page through the five help steps to a plan`, async () => {
    const { context, rec } = await newContext(browser, server);
    const page = await context.newPage();
    await page.goto(`${server.url}/${lang}/`);
    await tabTo(page, `a[href="/${lang}/help"]`);
    await pressAndGo(page, 'Enter', new RegExp(`/${lang}/help$`));

    // 1: someone is in danger (Space ticks the focused radio).
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

    // 4: discrimination at work.
    await tabTo(page, '#a-details-discrimination');
    await page.keyboard.press('Space');
    await tabTo(page, 'button[type=submit]');
    await pressAndGo(page, 'Enter', /step=5/);

    // 5: rather not the police; prefers a call. Enter on the button shows the plan.
    await tabTo(page, '#a-prefs-no_police');
    await page.keyboard.press('Space');
    await tabTo(page, '#a-channel-call');
    await page.keyboard.press('Space');
    await tabTo(page, 'button[type=submit]');
    await pressAndGo(page, 'Enter', new RegExp(`/${lang}/help/plan`));

    const q = new URL(page.url()).searchParams;
    for (const [k, v] of [['danger', 'yes'], ['role', 'self'], ['labor', 'yes'], ['ffc', 'yes'], ['discrimination', 'yes'], ['no_police', 'yes'], ['channel', 'call']]) {
      assert.equal(q.get(k), v, `the plan was asked without ${k}=${v}: ${page.url()}`);
    }
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    const steps = await page.$$eval('.plan-step', (ls) => ls.map((l) => ({ service: l.dataset.service, le: l.querySelector('.mark-le') !== null })));
    assert.ok(steps.length >= 3, `only ${steps.length} steps`);
    assert.equal(steps[0].service, 'emergency-911', 'someone is in danger: 911 comes first');
    // Avoiding the police: after 911, every step that is not law enforcement comes before any that is.
    const rest = steps.slice(1).map((s) => s.le);
    assert.deepEqual(rest, [...rest].sort((a, b) => a - b), `law enforcement before other services: ${JSON.stringify(steps)}`);
    await tabTo(page, '.plan-step a.btn');
    assert.deepEqual(rec.foreign, []);
    await context.close();
  });

  test(`${lang}: keyboard only: the tip form sent, the receipt shown`, async (t) => {
    if (!server.tipsOpen) return t.skip(noTips);
    const { context, rec } = await newContext(browser, server);
    const page = await context.newPage();
    await page.goto(`${server.url}/${lang}/`);
    await tabTo(page, `footer a[href="/${lang}/report"]`);
    await pressAndGo(page, 'Enter', new RegExp(`/${lang}/report$`));
    await tabTo(page, '#what_happened');
    await page.keyboard.type(`Typed by keyboard only (${lang}). Workers kept in a house, passports taken.`);
    await tabTo(page, 'form.report-form button[type=submit]');
    const res = await pressAndGo(page, 'Enter', new RegExp(`/${lang}/report$`));
    assert.equal(res.status(), 201, `the tip was not accepted: ${await page.textContent('main')}`);
    const receipt = (await page.textContent('#receipt')).trim();
    assert.match(receipt, RECEIPT);
    assert.equal(receipt.replace(/\D/g, '').length, 28);
    // At 360 px the groups wrap between them, never inside one; the
    // number fits the screen; one tap selects all of it; the script
    // shows a copy button; the page says how long the report is kept.
    const layout = await page.evaluate(() => {
      const el = document.getElementById('receipt');
      const spans = [...el.querySelectorAll('span')];
      return {
        groups: spans.length,
        broken: spans.filter((s) => s.getClientRects().length !== 1).map((s) => s.textContent),
        right: Math.max(...spans.map((s) => s.getBoundingClientRect().right)),
        left: Math.min(...spans.map((s) => s.getBoundingClientRect().left)),
        copy: !document.getElementById('copy-receipt').hidden,
      };
    });
    assert.equal(layout.groups, 7);
    assert.deepEqual(layout.broken, [], 'a group of digits breaks across lines');
    assert.ok(layout.left >= 0 && layout.right <= 360, `the receipt runs off the screen: ${JSON.stringify(layout)}`);
    assert.ok(layout.copy, 'no copy button with JavaScript on');
    await page.click('#receipt');
    const selected = await page.evaluate(() => window.getSelection().toString());
    assert.equal(selected.replace(/\D/g, ''), receipt.replace(/\D/g, ''), 'a tap does not select the whole receipt');
    assert.match(await page.textContent('main'), lang === 'en' ? /deleted 90 days after the last change/ : /90/);
    assert.deepEqual(rec.foreign, []);
    await context.close();
  });
}

/** A page whose history is [a neutral page, a Haven page]. */
async function havenAfterNeutral(context, path) {
  const page = await context.newPage();
  await page.goto('data:text/html,<title>before</title><p>before');
  await page.goto(server.url + path);
  return page;
}

for (const lang of ['en', 'ar']) {
  test(`${lang}: quick exit: a click replaces the page in the history`, async () => {
    const { context, rec } = await newContext(browser, server);
    const page = await havenAfterNeutral(context, `/${lang}/services`);
    assert.deepEqual(rec.exits, [], 'the quick-exit site was requested by a normal page load');
    const length = await page.evaluate(() => history.length);
    await Promise.all([page.waitForURL(EXIT_URL), page.click('a.exit')]);
    assert.equal(rec.exits.length, 1);
    assert.equal(rec.exits[0].referer, null, 'the quick-exit site was told where the visitor came from');
    assert.equal(await page.evaluate(() => history.length), length, 'the quick exit added a history entry');
    await page.goBack();
    assert.ok(page.url().startsWith('data:'), `Back returned to ${page.url()}, not the page before Haven`);
    await context.close();
  });

  test(`${lang}: quick exit: Shift three times does the same`, async () => {
    const { context, rec } = await newContext(browser, server);
    const page = await havenAfterNeutral(context, `/${lang}/help?step=2&danger=yes`);
    const length = await page.evaluate(() => history.length);
    // Another key in between starts the count again.
    await page.keyboard.press('Shift');
    await page.keyboard.press('Shift');
    await page.keyboard.press('a');
    await page.keyboard.press('Shift');
    await page.waitForTimeout(300);
    assert.ok(page.url().startsWith(server.url), `Shift, Shift, a, Shift left the page for ${page.url()}`);
    assert.deepEqual(rec.exits, []);
    await Promise.all([
      page.waitForURL(EXIT_URL),
      (async () => { for (let i = 0; i < 3; i++) await page.keyboard.press('Shift'); })(),
    ]);
    assert.equal(rec.exits.length, 1);
    assert.equal(await page.evaluate(() => history.length), length, 'Shift x3 added a history entry');
    await page.goBack();
    assert.ok(page.url().startsWith('data:'), `Back returned to ${page.url()}, not the page before Haven`);
    await context.close();
  });
}

// A long paste into "What happened?" is kept whole, and the counter says it
// is over the limit (the server then refuses it with the text kept).
test('report form: a paste of 25,000 characters is not cut, and the counter says so', async () => {
  const { context } = await newContext(browser, server);
  const page = await context.newPage();
  await page.goto(`${server.url}/en/report`);
  await page.focus('#what_happened');
  await page.keyboard.insertText('x'.repeat(25000));
  const got = await page.evaluate(() => ({
    length: document.getElementById('what_happened').value.length,
    count: document.getElementById('what-count').textContent,
    over: document.getElementById('what-count').classList.contains('count-over'),
  }));
  assert.deepEqual(got, { length: 25000, count: '25000 / 20000', over: true });
  await context.close();
});

// The home page's first view on a phone says that 911 can bring the police
// and whether the Hotline is police or immigration, in every language.
test('home, first view at 360x640, every language: 911 is police, the Hotline is not', async () => {
  const { context } = await newContext(browser, server);
  const page = await context.newPage();
  const late = [];
  for (const lang of ['en', 'es', 'zh-Hans', 'vi', 'tl', 'ko', 'ru', 'ar', 'ht', 'fr', 'pt-BR', 'km']) {
    await page.goto(`${server.url}/${lang}/`);
    const got = await page.evaluate(() => {
      const bottom = (sel) => { const el = document.querySelector(sel); return el ? el.getBoundingClientRect().bottom : Infinity; };
      return { police: bottom('.emergency .emergency-police'), statement: bottom('.hotline .statement') };
    });
    if (got.police > 640 || got.statement > 640) late.push(`${lang}: ${JSON.stringify(got)}`);
  }
  assert.deepEqual(late, [], 'below the first view');
  await context.close();
});

// A person who would rather avoid police and immigration: those steps are
// set apart, after every other, and out of the first view of a phone.
for (const lang of ['en', 'es', 'ar', 'km']) {
  test(`${lang}: no police: police and immigration steps apart, below the first view at 360x640`, async () => {
    const { context } = await newContext(browser, server);
    const page = await context.newPage();
    await page.goto(`${server.url}/${lang}/help/plan?labor=yes&ffc=yes&no_police=yes`);
    const got = await page.evaluate(() => {
      const apart = document.querySelector('section.apart');
      const main = [...document.querySelectorAll('section[aria-labelledby="steps-title"] li.plan-step')].map((li) => li.dataset.service);
      const set = apart ? [...apart.querySelectorAll('li.plan-step')].map((li) => li.dataset.service) : [];
      return { top: apart ? apart.getBoundingClientRect().top : -1, main, set, scrollY: window.scrollY };
    });
    assert.ok(got.set.includes('dhs-hsi-tip-line') && got.set.includes('fbi-tips'), `set apart: ${got.set}`);
    assert.ok(!got.main.includes('dhs-hsi-tip-line') && !got.main.includes('fbi-tips'), `main steps: ${got.main}`);
    assert.ok(got.top >= 640, `the set-apart section starts at ${got.top}px, inside the first 640px`);
    await context.close();
  });
}

test('quick exit without JavaScript: the link still leads to the exit site', async () => {
  const { context, rec } = await newContext(browser, server, { javaScriptEnabled: false });
  const page = await havenAfterNeutral(context, '/en/report');
  assert.deepEqual(rec.exits, []);
  const length = await page.evaluate(() => history.length);
  await Promise.all([page.waitForURL(EXIT_URL), page.click('a.exit')]);
  assert.equal(rec.exits.length, 1);
  assert.equal(rec.exits[0].referer, null, 'the quick-exit site was told where the visitor came from');
  // A plain link: the history grows (what the script's location.replace
  // avoids; this also shows that the tests above measure it).
  assert.equal(await page.evaluate(() => history.length), length + 1);
  await context.close();
});

test('the filter form works without JavaScript', async () => {
  const { context } = await newContext(browser, server, { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(server.url + '/en/services');
  await page.click('summary');
  await page.selectOption('#f-topic', 'child_sexual_exploitation');
  await page.check('#f-le');
  await Promise.all([page.waitForURL(/topic=child_sexual_exploitation/), page.click('button[type=submit]')]);
  const url = new URL(page.url());
  assert.equal(url.pathname, '/en/services');
  assert.equal(url.searchParams.get('law_enforcement'), 'false');
  const listed = await page.$$eval('.card-title a', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(listed.includes('/en/services/ncmec-cybertipline'), `listed: ${listed}`);
  assert.ok(!listed.includes('/en/services/nhth'), `listed: ${listed}`);
  await context.close();
});

/** Sends the report form on page (at /en/report) with text; returns [response, receipt]. */
async function sendTip(page, text) {
  await page.fill('#what_happened', text);
  const [res] = await Promise.all([page.waitForNavigation(), page.click('form.report-form button[type=submit]')]);
  const el = await page.$('#receipt');
  const receipt = el ? (await el.textContent()).trim() : '';
  return [res, receipt];
}

/** Opens the conversation of receipt on /en/report/status, typing the receipt. */
async function openConversation(page, receipt) {
  await page.goto(`${server.url}/en/report/status`);
  await page.click('#receipt');
  await page.keyboard.type(receipt);
  const [res] = await Promise.all([page.waitForNavigation(), page.click('form.report-form button[type=submit]')]);
  return res;
}

/** The tip whose text contains marker, from the command line: its id. */
function tipId(marker) {
  const list = haven(['tips', 'list', '--db', server.db]);
  assert.equal(list.status, 0, `haven tips list: ${list.stderr}`);
  const ids = [...list.stdout.matchAll(/^\s*(\S+)/gm)].map((m) => m[1]).filter((id) => !/^(id|ID)$/.test(id));
  for (const id of ids) {
    const show = haven(['tips', 'show', id, '--identity', join(server.dir, 'recovery.key'), '--db', server.db]);
    if (show.status === 0 && show.stdout.includes(marker)) return id;
  }
  assert.fail(`no tip holds "${marker}" in haven tips list:\n${list.stdout}`);
}

for (const js of [true, false]) {
  const how = js ? 'with JavaScript' : 'without JavaScript';
  test(`tip end to end ${how}: receipt, status, a message, the operator's answer`, async (t) => {
    if (!server.tipsOpen) return t.skip(noTips);
    const { context, rec } = await newContext(browser, server, { javaScriptEnabled: js });
    const page = await context.newPage();
    const marker = `e2e-${js ? 'js' : 'nojs'}-${Date.now()}`;
    await page.goto(`${server.url}/en/report`);
    const [sent, receipt] = await sendTip(page, `A tip ${how} (${marker}).`);
    assert.equal(sent.status(), 201, `the tip was not accepted: ${await page.textContent('main')}`);
    assert.match(receipt, RECEIPT);

    let res = await openConversation(page, receipt);
    assert.equal(res.status(), 200);
    assert.match(await page.textContent('p.state'), /Received, not yet read/);
    assert.ok(!page.url().includes(receipt.replace(/ /g, '')) && !page.url().includes('receipt='), `the receipt is in the address: ${page.url()}`);

    const mine = `More details ${how}: the van is white.`;
    await page.fill('#message', mine);
    [res] = await Promise.all([page.waitForNavigation(), page.click('form.report-form button[type=submit]')]);
    assert.equal(res.status(), 200);
    assert.match(await page.textContent('main'), /Your message was sent/);
    const thread = await page.$$eval('ol.thread li', (ls) => ls.map((l) => ({ cls: l.className, text: l.textContent })));
    assert.ok(thread.some((m) => m.cls.includes('msg-tipster') && m.text.includes(mine)), `my message is not in the conversation: ${JSON.stringify(thread)}`);

    if (!hasCommand('tips', 'reply')) {
      await t.test('the operator answers', { skip: 'no `haven tips reply` command yet' }, () => {});
    } else {
      const answer = `Thank you (${how}). Can you tell us the town?`;
      const r = haven(['tips', 'reply', tipId(marker), '--message', answer, '--db', server.db]);
      assert.equal(r.status, 0, `haven tips reply: ${r.stderr}`);
      await openConversation(page, receipt);
      const after = await page.$$eval('ol.thread li', (ls) => ls.map((l) => ({ cls: l.className, text: l.textContent })));
      const reply = after.find((m) => m.text.includes(answer));
      assert.ok(reply, `the operator's answer is not in the conversation: ${JSON.stringify(after)}`);
      assert.ok(!reply.cls.includes('msg-tipster'), `the answer is shown as the tipster's: ${reply.cls}`);
      assert.match(reply.text, /Answer/);
    }
    assert.deepEqual(rec.foreign, []);
    assert.deepEqual(await context.cookies(), []);
    await context.close();
  });
}

/** Leading zero bits of a SHA-256 digest. */
function zeroBits(buf) {
  let n = 0;
  for (const b of buf) {
    if (b === 0) { n += 8; continue; }
    return n + Math.clz32(b) - 24;
  }
  return n;
}

test('proof of work (--tip-pow-bits 12): the script solves it; without JavaScript the server asks to wait', async (t) => {
  const pow = await startServer({ args: ['--tip-pow-bits', '12', '--tip-rate', '-1', '--tip-rate-source', '-1'] });
  try {
    if (!pow.tipsOpen) return t.skip(noTips);
    const { context, rec } = await newContext(browser, pow);
    const page = await context.newPage();
    await page.goto(`${pow.url}/en/report`);
    assert.equal(await page.getAttribute('form.report-form', 'data-pow-bits'), '12');
    const token = await page.inputValue('input[name=token]');
    let body = '';
    page.on('request', (r) => { if (r.method() === 'POST') body = r.postData() ?? ''; });
    const [sent, receipt] = await sendTip(page, 'A tip through the proof of work.');
    assert.equal(sent.status(), 201, `the tip was not accepted: ${await page.textContent('main')}`);
    assert.match(receipt, RECEIPT);
    const nonce = /name="pow"\r\n\r\n(\d*)\r\n/.exec(body)?.[1];
    assert.ok(nonce, 'the form was sent without a proof of work');
    const bits = zeroBits(createHash('sha256').update(`${token}:${nonce}`).digest());
    assert.ok(bits >= 12, `sha256(token:${nonce}) has ${bits} leading zero bits, want 12`);
    assert.ok(rec.requests.some((r) => /\/assets\/report\.[0-9a-f]+\.js$/.test(r.url())), 'the proof-of-work script was not loaded');
    assert.deepEqual(rec.foreign, []);
    await context.close();

    // Without JavaScript: no proof, so the server asks for a longer wait
    // and gives the form back with the text kept.
    const nojs = await newContext(browser, pow, { javaScriptEnabled: false });
    const p2 = await nojs.context.newPage();
    await p2.goto(`${pow.url}/en/report`);
    const text = 'Sent at once without JavaScript.';
    const [res] = await sendTip(p2, text);
    assert.equal(res.status(), 400, 'a tip without proof of work was accepted at once');
    assert.ok(await p2.$('.errors'), 'no error shown');
    assert.equal(await p2.inputValue('#what_happened'), text, 'the text was not kept');
    await nojs.context.close();
  } finally {
    await pow.stop();
  }
});
