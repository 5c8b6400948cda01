import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
// The public entry points, as users import them.
import { analyzeRecordings, parseRecording, Frame, Traceback } from 'heapsleuth';
import { renderHtmlReport } from 'heapsleuth/report';
import { launchTestBrowser, openRenderedReport } from './browser.js';
import { recordingText } from './recording-text.js';
import { tempDir } from './temp-dir.js';

const MiB = 1024 * 1024;

test('the HTML report of a no-leak verdict says why in one sentence, not the same one twice (issue 18: 10)', async () => {
  const site = new Traceback([new Frame('src/cache.ts', 42, 'fill')]);
  const T0 = Date.UTC(2026, 10, 23, 12);
  const noise = (i: number) => (((i * 7919) % 13) - 6) / 6;
  const recording = parseRecording(
    recordingText(
      Array.from({ length: 30 }, (_, i) => ({
        traces: [{ traceback: site, size: 4 * MiB + noise(i) * 64 * 1024, count: 60 }],
        process: { time: T0 + i * 60_000, memory: { rss: 200 * MiB + noise(i) * MiB, heapTotal: 80 * MiB, heapUsed: 50 * MiB + noise(i + 3) * MiB, external: 3 * MiB, arrayBuffers: MiB } },
      })),
      { service: 'quiet' },
    ),
    'quiet.ndjson',
  );
  const verdict = analyzeRecordings([recording]);
  assert.equal(verdict.verdict, 'no-leak');
  const dir = tempDir('heapsleuth-headline-');
  const file = join(dir, 'report.html');
  writeFileSync(file, renderHtmlReport(verdict, [recording]));
  const browser = await launchTestBrowser();
  try {
    const page = await openRenderedReport(browser, file);
    assert.equal(await page.textContent('.verdict-summary'), 'No allocation site, process memory series or handle type grows beyond its noise.');
  } finally {
    await browser.close();
  }
});
