import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchTestBrowser, openRenderedReport } from './browser.js';
import { fixture, repoRoot, runForVerdict } from './child-process.js';
import { tempDir } from './temp-dir.js';

const LEAK = 'test/fixtures/services/fd-leak.mjs';

test('file descriptors leaked through fs.createWriteStream are blamed on the line that opens them (JSON, terminal, HTML)', async () => {
  const html = join(tempDir('heapsleuth-fd-sites-'), 'report.html');
  const { result, verdict } = await runForVerdict(fixture('services/fd-leak.mjs'), '6s', { cwd: repoRoot, extra: ['--html', html] });
  const line = lineOf(LEAK, 'createWriteStream(join(folder');
  assert.equal(verdict.verdict, 'leak', result.stdout);
  const fds = verdict.handles.find((handle) => handle.type === 'fds');
  assert.equal(fds?.leak, true, JSON.stringify(verdict.handles));
  // no handle type grows: a stream's descriptor is not a libuv handle
  assert.deepEqual(verdict.handles.filter((handle) => handle.leak).map((handle) => handle.type), ['fds']);
  // the stream opens its file on the next tick; the stack is the one that created the stream
  assert.deepEqual(fds.createdAt && [fds.createdAt.file, fds.createdAt.line, fds.createdAt.function], [LEAK, line, 'startExport']);
  assert.ok(fds.createdAt!.liveSampled > 0);
  // the churn of fd-churn.mjs opens and closes files through every other API meanwhile: none of it is a suspect
  const top = verdict.suspects[0]!;
  assert.deepEqual([top.keyType, top.handleType, top.file, top.line], ['handle', 'fds', LEAK, line]);
  assert.ok(!verdict.suspects.some((suspect) => suspect.file.endsWith('fd-churn.mjs')), JSON.stringify(verdict.suspects.map((suspect) => `${suspect.file}:${suspect.line}`)));
  assert.match(result.stdout, new RegExp(`fds: \\d+ open.*\\n\\s+opened at ${LEAK.replace(/[./]/g, '\\$&')}:${line} startExport\\(\\)`));
  assert.match(result.stdout, new RegExp(`NEXT\\s+open ${LEAK.replace(/[./]/g, '\\$&')}:${line} \\(startExport\\): the files it opens stay open`));

  const browser = await launchTestBrowser();
  try {
    const page = await openRenderedReport(browser, html);
    const sites = await page.locator('ul.handle-sites li').allTextContents();
    assert.ok(sites.some((text) => text.startsWith(`fds opened at ${LEAK}:${line} startExport()`)), sites.join('\n'));
    const first = page.locator('#suspects-table tr.suspect').first();
    assert.equal(await first.locator('.fn').textContent(), 'startExport() opens files that stay open');
    assert.equal(await first.locator('.loc').textContent(), `${LEAK}:${line}`);
  } finally {
    await browser.close();
  }
});

test('a service that opens and closes many files has no fd finding', async () => {
  const { result, verdict } = await runForVerdict(fixture('services/fd-churn.mjs'), '6s', { cwd: repoRoot });
  const fds = verdict.handles.find((handle) => handle.type === 'fds');
  assert.ok(fds && fds.count > 0, 'open fds were measured');
  assert.equal(fds.leak, false, result.stdout);
  // (the hooks may go on for a while when the count happens to rise a few ticks in a row: files in flight)
  assert.ok(!verdict.suspects.some((suspect) => suspect.handleType === 'fds'), result.stdout);
  assert.doesNotMatch(result.stdout, /opened at|files it opens/);
});

test('the fd hooks go on while fds grow and off again when they stop, putting back what they replaced and nothing else', async () => {
  const script = 'test/fixtures/services/fd-leak-then-stop.mjs';
  const { result, verdict } = await runForVerdict(fixture('services/fd-leak-then-stop.mjs'), '120s', { cwd: repoRoot });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /hooks on: named import follows true/);
  assert.match(result.stdout, /errors while on: ENOENT ERR_INVALID_ARG_TYPE ENOENT ENOENT ENOENT/);
  assert.match(result.stdout, /hooks off: named import restored true; other close wrapper kept true/);
  assert.match(result.stdout, /files still open and close after the hooks went off/);
  // while they were on they saw where openSync was called
  const fds = verdict.handles.find((handle) => handle.type === 'fds');
  assert.deepEqual(fds?.createdAt && [fds.createdAt.file, fds.createdAt.line, fds.createdAt.function], [script, lineOf(script, "return fs.openSync(join(folder, `log-"), 'openLog']);
});

/** The 1-based line of the first line of a repository file that contains `text`. */
function lineOf(file: string, text: string): number {
  const index = readFileSync(join(repoRoot, file), 'utf8').split('\n').findIndex((line) => line.includes(text));
  assert.ok(index >= 0, `${text} in ${file}`);
  return index + 1;
}
