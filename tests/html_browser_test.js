// html_browser_test.js: open an HTML report in headless Chromium and use it as a person would.
// Run by tests/html_browser_test.sh, which provides playwright-core and Chromium:
//   node tests/html_browser_test.js PLAYWRIGHT_CORE_DIR REPORT.html SCREENSHOT_DIR
// Checks: no console error and no network request; sorting the loop table by a header click;
// the filter box; a loop's first line showing its reasons; a diagnostic link scrolling to and
// marking its source line.  Saves screenshots and prints "N passed, M failed" last.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const url = require('url');

const [pwDir, report, shotDir] = process.argv.slice(2);
const { chromium } = require(pwDir);

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${!ok && detail !== undefined ? `: ${detail}` : ''}`);
}

const sortedAsc = (xs, cmp) => xs.every((x, i) => i === 0 || cmp(xs[i - 1], x) <= 0);
const byText = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

async function columnValues(page, col) {
  return page.$$eval('#ca-loops tbody tr', (rows, c) => rows.map((r) => r.cells[c].textContent.trim()), col);
}

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'concadvise-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  try {
    const page = context.pages()[0] || (await context.newPage());
    const errors = [];
    const requests = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });

    const started = Date.now();
    await page.goto(url.pathToFileURL(path.resolve(report)).href, { waitUntil: 'load' });
    check('page loads with its title', (await page.title()) === 'concadvise report');
    check('the summary charts have bars', (await page.$$('.chart .bar')).length === 17);
    await page.screenshot({ path: path.join(shotDir, 'concadvise-html.png') });

    // Sorting: by function (text), then again (reversed), then by hotness (numbers).
    const fnCol = 1;
    const hotCol = 8;
    const before = await columnValues(page, fnCol);
    check('the table starts hottest first',
      sortedAsc((await columnValues(page, hotCol)).map(Number), (a, b) => b - a));
    await page.click('#ca-loops thead th:nth-child(2) button');
    const asc = await columnValues(page, fnCol);
    check('a header click sorts the rows by that column', sortedAsc(asc, byText), asc.join(', '));
    check('the order changed', asc.join('\n') !== before.join('\n'));
    check('the header says how it is sorted',
      (await page.getAttribute('#ca-loops thead th:nth-child(2)', 'aria-sort')) === 'ascending');
    await page.click('#ca-loops thead th:nth-child(2) button');
    const desc = await columnValues(page, fnCol);
    check('a second click reverses the order', sortedAsc(desc.slice().reverse(), byText), desc.join(', '));
    await page.click('#ca-loops thead th:nth-child(9) button');
    const hot = (await columnValues(page, hotCol)).map(Number);
    check('numbers sort as numbers', sortedAsc(hot, (a, b) => a - b), hot.join(', '));

    // Filter box.
    await page.fill('#ca-filter', 'mixed_wait');
    const shown = await page.$$eval('#ca-loops tbody tr', (rows) => rows.filter((r) => !r.hidden).map((r) => r.textContent));
    check('the filter keeps the matching rows only', shown.length === 2 && shown.every((t) => t.includes('mixed_wait')),
      shown.length);
    check('the count follows the filter', (await page.textContent('#ca-count')).startsWith('2 of '));
    await page.fill('#ca-filter', '');

    // A loop's first line shows its reasons and evidence.
    await page.click('#L3-21 .src');
    const box = await page.$('#L3-21 + .details');
    const boxText = box ? await box.textContent() : '';
    check('clicking a loop line shows its reasons', boxText.includes('every iteration blocks in recv()'), boxText);
    check('and its evidence with a link', (await page.$$('#L3-21 + .details a[href="#L3-23"]')).length === 1);
    await page.click('#L3-21 .src');
    check('a second click hides them', (await page.$('#L3-21 + .details')) === null);

    // A diagnostic link: the line becomes the target, is marked and is in view.
    const link = page.locator('#diagnostics a.loc', { hasText: 'samples/mixed_wait.c:29' });
    const href = await link.getAttribute('href');
    await link.click();
    await page.waitForFunction((h) => location.hash === h, href);
    const target = await page.evaluate((h) => {
      const el = document.getElementById(h.slice(1));
      const r = el.getBoundingClientRect();
      return { target: el.matches(':target'), marked: el.classList.contains('hl'), top: r.top, bottom: r.bottom,
        height: innerHeight, text: el.textContent };
    }, href);
    check('a diagnostic link targets its source line', target.target && target.marked, JSON.stringify(target));
    check('the line is scrolled into view', target.top >= 0 && target.bottom <= target.height, JSON.stringify(target));
    check('it is the right line', target.text.includes('PyErr_SetString'), target.text);
    await page.screenshot({ path: path.join(shotDir, 'concadvise-html-source.png') });

    // A table row link works the same way.
    await page.click('#ca-loops tbody a[href="#L4-40"]');
    check('a table row links to its loop', await page.evaluate(() => document.getElementById('L4-40').matches(':target')));

    await page.screenshot({ path: path.join(shotDir, 'concadvise-html-full.png'), fullPage: true });
    check('no console errors', errors.length === 0, errors.join(' | '));
    check('no network requests', requests.length === 0, requests.join(' '));
    console.log(`browser checks took ${Date.now() - started} ms`);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.log(`FAIL the browser test could not run: ${e && e.stack ? e.stack : e}`);
  failed++;
}).finally(() => {
  console.log(`screenshots: ${path.join(shotDir, 'concadvise-html.png')} ${path.join(shotDir, 'concadvise-html-source.png')} ${path.join(shotDir, 'concadvise-html-full.png')}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
});
