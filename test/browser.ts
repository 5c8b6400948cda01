import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where a system Chromium is found when HEAPSLEUTH_TEST_CHROMIUM does not name one (Debian, then Ubuntu/others). */
const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * Root, no sandbox, no GPU, and nothing that calls home: the tests run on a closed network.
 * playwright-core gives every launch a fresh temporary profile (user-data-dir) of its own.
 */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Chromium takes its language from the POSIX locale; under LANG=C.UTF-8 (CI containers) it reports
 * navigator.language as "en-US@posix", which Intl rejects (uPlot's date axis then throws).
 */
const LOCALE_ENV = { LANGUAGE: 'en_US', LC_ALL: 'en_US.UTF-8', LANG: 'en_US.UTF-8' };

/** Starts the browser the report's browser tests drive. */
export async function launchTestBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumPath(), args: CHROMIUM_ARGS, env: { ...process.env, ...LOCALE_ENV } });
}

/**
 * Opens an HTML report in a new page, offline (a self-contained report asks for nothing but
 * its own file), and waits until it has drawn itself.
 */
export async function openRenderedReport(browser: Browser, file: string): Promise<Page> {
  const url = pathToFileURL(file).href;
  const page = await browser.newPage();
  await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
  await page.goto(url);
  await page.waitForSelector('html[data-rendered="true"]', { timeout: 10_000 });
  return page;
}

/**
 * The Chromium to test with: the one HEAPSLEUTH_TEST_CHROMIUM names, else the system's,
 * else the one shipped inside the @sparticuz/chromium devDependency (so `npm ci && npm test`
 * needs nothing installed system-wide).
 */
export async function chromiumPath(): Promise<string> {
  const chosen = process.env.HEAPSLEUTH_TEST_CHROMIUM;
  if (chosen) {
    if (!existsSync(chosen)) throw new Error(`HEAPSLEUTH_TEST_CHROMIUM=${chosen} does not exist`);
    return chosen;
  }
  const system = SYSTEM_CHROMIUMS.find((path) => existsSync(path));
  return system ?? packagedChromium();
}

/**
 * Unpacks the packaged Chromium once per package version into a folder under the temp dir.
 * The package always unpacks into os.tmpdir() itself and takes an existing `chromium` there as
 * done, so two test files unpacking at once could run a half-written binary: each unpacks in a
 * child process whose TMPDIR is a private folder, then renames that folder into place (atomic;
 * the loser of a race drops its copy and uses the winner's).
 */
async function packagedChromium(): Promise<string> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`no Chromium found: the packaged one is for Linux x64 only; install Chromium or set HEAPSLEUTH_TEST_CHROMIUM=/path/to/chromium`);
  }
  const entry = import.meta.resolve('@sparticuz/chromium'); // .../build/esm/index.js (package.json is not exported)
  const version = (JSON.parse(readFileSync(new URL('../../package.json', entry), 'utf8')) as { version: string }).version;
  const cache = join(tmpdir(), `heapsleuth-test-chromium-${version}`);
  const binary = join(cache, 'chromium');
  if (existsSync(binary)) return binary;
  const staging = mkdtempSync(join(tmpdir(), 'heapsleuth-test-chromium-unpacking-'));
  try {
    const unpack = 'import(process.argv[1]).then((m) => m.default.executablePath()).then((path) => process.stdout.write(path))';
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', unpack, entry], {
      env: { ...process.env, TMPDIR: staging },
      timeout: 120_000,
    });
    if (stdout !== join(staging, 'chromium')) throw new Error(`@sparticuz/chromium unpacked to ${stdout}, expected ${join(staging, 'chromium')}`);
    try {
      renameSync(staging, cache);
    } catch (error) {
      if (!existsSync(binary)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}
