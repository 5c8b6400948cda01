import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { command as reportCommand } from '../src/cli/report.js';
import { launchTestBrowser } from './browser.js';
import { tempDir } from './temp-dir.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixture = fileURLToPath(new URL('../../test/fixtures/report-leaky-app.mjs', import.meta.url));
const HOSTILE = '<img src=x onerror=window.__pwned=1>';

let dir: string;
let reportUrl: string;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const foreignRequests: string[] = [];

before(async () => {
  dir = tempDir('heapsleuth-report-');
  const recording = join(dir, 'leaky-app.ndjson');
  // A real leaky process, recorded by the tracer inside it; cwd is the repo so its frames read test/fixtures/...
  // 11 s: the detective wants a window of at least 10 s before it judges.
  await promisify(execFile)(process.execPath, [fixture], {
    cwd: repoRoot,
    env: { ...process.env, REPORT_FIXTURE_RECORD: recording, REPORT_FIXTURE_MS: '11000' },
    timeout: 30_000,
  });
  const output = join(dir, 'report.html');
  assert.equal(await reportCommand.run([recording, '-o', output]), 0);
  reportUrl = pathToFileURL(output).href;

  browser = await launchTestBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  page.on('request', (request) => {
    if (request.url() !== reportUrl) foreignRequests.push(request.url());
  });
  await page.route('**/*', (route) => (route.request().url() === reportUrl ? route.continue() : route.abort()));
  await page.goto(reportUrl);
  await page.waitForSelector('html[data-rendered="true"]', { timeout: 10_000 });
});

/** Size and painted pixels of each canvas matching `selector`, and the chart it belongs to. */
function canvasesIn(selector: string) {
  return page.$$eval(selector, (elements) =>
    elements.map((canvas) => {
      const ctx = canvas.getContext('2d')!;
      const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
      return { width: canvas.width, height: canvas.height, painted, chart: canvas.closest('.chart')?.id ?? canvas.className };
    }),
  );
}

after(async () => {
  await browser?.close();
});

test('the report loads offline with no console errors and no network requests', async () => {
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(foreignRequests, []);
  const html = readFileSync(fileURLToPath(reportUrl), 'utf8');
  assert.doesNotMatch(html, /<(script|link|img|iframe)[^>]+(src|href)=/i, 'no external resources');
});

test('every chart canvas has drawn', async () => {
  const canvases = await canvasesIn('canvas');
  const charts = canvases.map((canvas) => canvas.chart);
  assert.ok(charts.includes('memory-chart'), `memory chart drawn: ${charts.join(', ')}`);
  assert.ok(charts.includes('handles-chart'), `handles chart drawn: ${charts.join(', ')}`);
  assert.ok(charts.includes('spark'), 'suspect sparklines drawn');
  for (const canvas of canvases) {
    assert.ok(canvas.width > 0 && canvas.height > 0, `${canvas.chart} has a size`);
    assert.ok(canvas.painted > 50, `${canvas.chart} is not blank (${canvas.painted} painted pixels)`);
  }
  const flameCells = await page.$$eval('svg.flame rect', (rects) => rects.length);
  assert.ok(flameCells > 3, `flame graph has ${flameCells} cells`);
});

test('the suspects table names the leaking fixture file, and a click shows the traceback', async () => {
  const verdict = await page.textContent('#verdict-badge');
  assert.equal(verdict, 'leak');
  const firstSite = await page.textContent('#suspects-table tr.suspect:first-child td.site');
  assert.match(firstSite ?? '', /test\/fixtures\/report-leaky-app\.mjs:\d+/);
  assert.match(firstSite ?? '', /hoardSessionTokens|serveRequests/);

  const row = page.locator('#suspects-table tr.suspect').first();
  assert.equal(await row.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.locator('#suspects-table tr.detail').count(), 0);
  await row.click();
  assert.equal(await row.getAttribute('aria-expanded'), 'true');
  const detail = page.locator('#suspects-table tr.detail').first();
  assert.ok(await detail.isVisible());
  const frames = await detail.locator('ol.traceback li').allTextContents();
  assert.ok(frames.length >= 1, 'traceback has frames');
  assert.match(frames[0]!, /(hoardSessionTokens|serveRequests) test\/fixtures\/report-leaky-app\.mjs:\d+/);
  const detailCharts = await canvasesIn('#suspects-table tr.detail canvas');
  assert.equal(detailCharts.length, 1);
  assert.ok(detailCharts[0]!.painted > 50, 'the suspect growth chart drew');

  await row.click();
  assert.equal(await detail.isVisible(), false, 'a second click folds it again');
  await row.click();
});

test('the compare-to-start table switches between file, line and function', async () => {
  await page.click('#compare .tabs button[data-key="filename"]');
  assert.equal(await page.getAttribute('#compare-table', 'data-key'), 'filename');
  const files = await page.$$eval('#compare-table tbody td.site', (cells) => cells.map((cell) => cell.textContent ?? ''));
  assert.ok(files.includes('test/fixtures/report-leaky-app.mjs'), `files: ${files.join(', ')}`);
  await page.click('#compare .tabs button[data-key="function"]');
  assert.equal(await page.getAttribute('#compare-table', 'data-key'), 'function');
  await page.click('#compare .tabs button[data-key="lineno"]');
  assert.equal(await page.getAttribute('#compare-table', 'data-key'), 'lineno');
});

test('a hostile function name renders as text and runs nothing', async () => {
  const text = (await page.evaluate("document.getElementById('report').textContent")) as string;
  assert.ok(text.includes(HOSTILE), 'the hostile name is shown, as text');
  const names = await page.$$eval('#suspects-table .fn, #compare-table .fn', (cells) => cells.map((cell) => cell.textContent));
  assert.ok(names.includes(`${HOSTILE}()`), `a table row is named after it: ${names.join(', ')}`);
  assert.equal(await page.$$eval('img', (images) => images.length), 0);
  assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined');
});

test('screenshot', async () => {
  const artifacts = join(repoRoot, 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  const path = join(artifacts, 'report.png');
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path, fullPage: true });
  assert.ok(existsSync(path));
  if (process.env['HEAPSLEUTH_UPDATE_SCREENSHOT'] === '1') {
    // The README shows the top of the page: verdict, suspects with a traceback open, memory over time.
    await page.screenshot({ path: join(repoRoot, 'docs', 'report-screenshot.png'), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1380 } });
  }
});
