// Headless-browser end-to-end test of the Grotius web app (see run.sh).
//
//   node test.mjs http://127.0.0.1:PORT   walk the contract below against a running `grotius demo`
//   node test.mjs --self-test             check the TOTP code against RFC 6238's test vector
//
// Drives Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) through playwright-core; it never
// downloads a browser. Prints `ok N name` / `not ok N name: why` per step and closes with
// `N passed, M failed`. With GROTIUS_SCREENSHOT=1 it saves the dashboard to docs/screenshot.png.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const USER = 'analyst';
const PASSWORD = process.env.GROTIUS_DEMO_PASSWORD || 'demo-password-2026';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// ---- TOTP (RFC 6238: HMAC-SHA-1, 30 s step) ----
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.toUpperCase().replace(/[\s=-]/g, '')) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`not a base32 character: ${JSON.stringify(ch)}`);
    value = ((value << 5) | i) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

function hotp(key, counter, digits = 6) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = crypto.createHmac('sha1', key).update(msg).digest();
  const o = h[h.length - 1] & 0x0f;
  const bin = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(bin % 10 ** digits).padStart(digits, '0');
}

const totpStep = (unixSeconds = Date.now() / 1000) => Math.floor(unixSeconds / 30);
const totp = (key, unixSeconds, digits = 6) => hotp(key, totpStep(unixSeconds), digits);

function selfTest() {
  const key = Buffer.from('12345678901234567890', 'ascii');
  const checks = [
    [totp(key, 59, 8), '94287082'],
    [totp(key, 59, 6), '287082'],
    [totp(key, 1111111109, 8), '07081804'],
    [totp(base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'), 59, 8), '94287082'],
  ];
  for (const [got, want] of checks) {
    if (got !== want) throw new Error(`TOTP self-test: got ${got}, want ${want}`);
  }
}

// ---- helpers ----
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pathOf = (page) => new URL(page.url()).pathname;

function check(cond, message) {
  if (!cond) throw new Error(message);
}

async function expectElement(page, selector) {
  const n = await page.locator(selector).count();
  check(n > 0, `no ${selector} on ${pathOf(page)}`);
}

async function goto(page, url) {
  const resp = await page.goto(url);
  check(resp, `no response for ${url}`);
  check(resp.status() < 400, `GET ${url} returned ${resp.status()}`);
  return resp;
}

// Click the form's submit button and wait for the resulting page.
async function submit(page, form) {
  await expectElement(page, form);
  const button = page
    .locator(`${form} button[type=submit], ${form} input[type=submit], ${form} button:not([type])`)
    .first();
  const [resp] = await Promise.all([page.waitForNavigation(), button.click()]);
  if (resp) check(resp.status() < 400, `submitting ${form} returned ${resp.status()} (${pathOf(page)})`);
  return resp;
}

async function passwordLogin(page, base) {
  await goto(page, `${base}/login`);
  await expectElement(page, 'form#login input[name=username]');
  await expectElement(page, 'form#login input[name=password]');
  await expectElement(page, 'form#login button[type=submit]');
  await page.fill('form#login input[name=username]', USER);
  await page.fill('form#login input[name=password]', PASSWORD);
  await submit(page, 'form#login');
}

async function expectDashboard(page) {
  check(pathOf(page) === '/', `expected to land on / but am on ${pathOf(page)}`);
  await expectElement(page, 'nav#main-nav');
}

async function switchLanguage(page, lang) {
  const link = page.locator(`a[hreflang=${lang}]`).first();
  check((await link.count()) > 0, `no a[hreflang=${lang}] on ${pathOf(page)}`);
  await Promise.all([page.waitForNavigation(), link.click()]);
  const got = await page.evaluate(() => document.documentElement.lang);
  check(got === lang, `after clicking a[hreflang=${lang}], <html lang> is ${JSON.stringify(got)}`);
}

// ---- the walk ----
async function main(base) {
  selfTest();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'grotius-chromium-'));
  check(fs.existsSync(CHROMIUM), `${CHROMIUM} not found: apt-get install -y chromium (or set CHROMIUM)`);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
  });
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(15_000);

  let passed = 0;
  let failed = 0;
  let n = 0;
  const step = async (name, fn) => {
    n += 1;
    try {
      await fn();
      passed += 1;
      console.log(`ok ${n} ${name}`);
    } catch (e) {
      failed += 1;
      console.log(`not ok ${n} ${name}: ${String(e.message || e).split('\n')[0]}`);
    }
  };

  let key = null;
  let enrolStep = -1;

  try {
    await step('login', async () => {
      await passwordLogin(page, base);
      await expectDashboard(page);
    });

    await step('totp enrolment', async () => {
      await goto(page, `${base}/account`);
      await submit(page, 'form#totp-enrol');
      await expectElement(page, '#totp-secret');
      const secret = (await page.locator('#totp-secret').first().textContent()).replace(/\s+/g, '');
      key = base32Decode(secret);
      check(key.length >= 10, `TOTP secret ${JSON.stringify(secret)} decodes to only ${key.length} bytes`);
      await expectElement(page, 'form#totp-confirm input[name=code]');
      enrolStep = totpStep();
      await page.fill('form#totp-confirm input[name=code]', hotp(key, enrolStep));
      await submit(page, 'form#totp-confirm');
      const codes = await page.locator('ul#recovery-codes li').count();
      check(codes >= 8, `expected at least 8 ul#recovery-codes li, found ${codes} on ${pathOf(page)}`);
    });

    await step('logout', async () => {
      await submit(page, 'form#logout');
      check(!(await page.locator('form#logout').count()), `still logged in after logout (${pathOf(page)})`);
    });

    await step('login with totp', async () => {
      check(key, 'no TOTP secret (enrolment failed)');
      // A code may be used only once: wait for the step after the one used at enrolment.
      const now = Date.now() / 1000;
      if (totpStep(now) <= enrolStep) {
        const waitMs = ((enrolStep + 1) * 30 - now) * 1000 + 1000;
        console.log(`# waiting ${Math.ceil(waitMs / 1000)} s for a fresh TOTP code`);
        await sleep(waitMs);
      }
      await passwordLogin(page, base);
      check(pathOf(page) === '/login/totp', `expected /login/totp after password, got ${pathOf(page)}`);
      await expectElement(page, 'form#totp input[name=code]');
      await page.fill('form#totp input[name=code]', totp(key));
      await submit(page, 'form#totp');
      await expectDashboard(page);
    });

    await step('navigation', async () => {
      await goto(page, `${base}/`);
      const origin = new URL(base).origin;
      const hrefs = await page.$$eval('nav#main-nav a[href]', (as) => as.map((a) => a.href));
      const links = [...new Set(hrefs.filter((h) => new URL(h).origin === origin).map((h) => h.split('#')[0]))];
      check(links.length >= 8, `expected at least 8 same-origin links in nav#main-nav, found ${links.length}`);
      const problems = [];
      for (const link of links) {
        const resp = await page.goto(link);
        const status = resp ? resp.status() : 0;
        if (status === 0 || status >= 400) problems.push(`${link} -> ${status}`);
        else if (pathOf(page).startsWith('/login')) problems.push(`${link} -> redirected to ${pathOf(page)}`);
        else if (!(await page.locator('h1').count())) problems.push(`${link} has no h1`);
      }
      check(problems.length === 0, problems.join('; '));
    });

    await step('language switch', async () => {
      await goto(page, `${base}/`);
      await switchLanguage(page, 'nl');
      await switchLanguage(page, 'en');
    });

    await step('dashboard', async () => {
      await goto(page, `${base}/`);
      await expectDashboard(page);
      if (process.env.GROTIUS_SCREENSHOT === '1') {
        const file = path.join(REPO, 'docs', 'screenshot.png');
        fs.mkdirSync(path.dirname(file), { recursive: true });
        await page.screenshot({ path: file });
        console.log(`# screenshot saved to ${path.relative(process.cwd(), file) || file}`);
      }
    });
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }

  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

const arg = process.argv[2];
if (arg === '--self-test') {
  selfTest();
  const key = Buffer.from('12345678901234567890', 'ascii');
  console.log(`TOTP(t=59): ${totp(key, 59, 8)} / ${totp(key, 59, 6)}`);
  console.log('1 passed, 0 failed');
} else if (!arg || !/^https?:\/\//.test(arg)) {
  console.error('usage: node test.mjs http://127.0.0.1:PORT | --self-test');
  process.exit(2);
} else {
  setTimeout(() => {
    console.error('test.mjs: timed out after 300 s');
    process.exit(1);
  }, 300_000).unref();
  main(arg.replace(/\/+$/, '')).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`test.mjs: ${e.stack || e}`);
      console.log('0 passed, 1 failed');
      process.exit(1);
    },
  );
}
