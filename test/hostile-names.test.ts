import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Frame, Snapshot, Traceback } from '../src/model/index.js';
import { snapshotToPprof } from '../src/formats/pprof.js';
import { cliPath, runNode } from './child-process.js';
import { recordingText } from './recording-text.js';
import { tempDir } from './temp-dir.js';

/**
 * Names in profiles are data written by whoever controls the observed code (or the file):
 * markup, scripts, terminal escapes, bidirectional overrides, megabytes of text. Every
 * command shows them as text: escaped in HTML, visible escapes in the terminal.
 */

const MiB = 1024 * 1024;
const HTML_NAME = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';
const TERMINAL_NAME = 'evil\u001b[2J\u001b]0;owned\u0007\r\u202egnp.exe\u2066\u200b\u0085';
const LONG_NAME = 'long'.repeat(25_000);
/** What must never reach a terminal: C0/C1 controls (but the newline), bidi controls, zero-width and line separators. */
const UNSAFE_FOR_TERMINAL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

const work = tempDir('heapsleuth-hostile-');

function hostileRecording(): string {
  const leaks = [HTML_NAME, TERMINAL_NAME, LONG_NAME].map(
    (name, i) => new Traceback([new Frame(`src/${name}.js`, 10 + i, name), new Frame('src/main.js', 1, 'main')]),
  );
  const samples = Array.from({ length: 30 }, (_, i) => ({
    traces: leaks.map((traceback, j) => ({ traceback, size: (i + 1) * (j + 1) * MiB, count: (i + 1) * 16 })),
    process: {
      time: 1_000_000 + i * 60_000,
      memory: { rss: (200 + 6 * i) * MiB, heapTotal: (80 + 6 * i) * MiB, heapUsed: (40 + 6 * i) * MiB, external: 2 * MiB, arrayBuffers: MiB },
      handles: { [HTML_NAME]: 1, [TERMINAL_NAME]: 2 },
    },
  }));
  return recordingText(samples, {
    hostname: `host${TERMINAL_NAME}`,
    service: `svc${HTML_NAME}${TERMINAL_NAME}`,
    argv: ['node', HTML_NAME],
    startTime: new Date(1_000_000).toISOString(),
    limits: { heapLimitBytes: 4096 * MiB },
  });
}

function assertTerminalSafe(output: string, what: string): void {
  const bad = UNSAFE_FOR_TERMINAL.exec(output);
  assert.equal(bad, null, `${what}: prints U+${bad?.[0].codePointAt(0)?.toString(16)} raw`);
  assert.match(output, /\\u\{1b\}\[2J/, `${what}: the escape shows as text`);
  assert.match(output, /\\u\{202e\}gnp\.exe/, `${what}: the right-to-left override shows as text`);
}

test('analyze, top and diff print hostile names as visible text, never as escapes or reordered text', async () => {
  const recording = join(work, 'hostile.ndjson');
  writeFileSync(recording, hostileRecording());
  const analyze = await runNode([cliPath, 'analyze', recording], { env: { NO_COLOR: '1' } });
  assert.equal(analyze.code, 0, analyze.stderr);
  assert.match(analyze.stdout, /LEAK/);
  assertTerminalSafe(analyze.stdout, 'analyze');
  assert.ok(analyze.stdout.includes(HTML_NAME), 'markup is harmless in a terminal and shown as it is');
  assert.ok(analyze.stdout.split('\n').every((line) => line.length < 1000), 'a name of 100 000 characters is cut short in the verdict');

  for (const args of [['top', recording, '--key', 'traceback'], ['diff', recording, '--key', 'function'], ['top', recording, '--key', 'filename']]) {
    const result = await runNode([cliPath, ...args]);
    assert.equal(result.code, 0, result.stderr);
    assertTerminalSafe(result.stdout, args.join(' '));
  }

  const pprof = join(work, 'hostile.pb.gz');
  const snapshot = new Snapshot([{ traceback: new Traceback([new Frame(`x${TERMINAL_NAME}.js`, 1, TERMINAL_NAME)]), size: MiB, count: 1 }], {
    runtime: 'node',
    takenAt: new Date(0).toISOString(),
    samplingIntervalBytes: 65536,
    stackDepth: 1,
  });
  writeFileSync(pprof, snapshotToPprof(snapshot));
  const top = await runNode([cliPath, 'top', pprof]);
  assert.equal(top.code, 0, top.stderr);
  assertTerminalSafe(top.stdout, 'top of a pprof profile');
});

test('the HTML report holds hostile names only as escaped data: no markup, no script, no extra element', async () => {
  const recording = join(work, 'hostile-report.ndjson');
  writeFileSync(recording, hostileRecording());
  const output = join(work, 'hostile.html');
  const result = await runNode([cliPath, 'report', recording, '-o', output]);
  assert.equal(result.code, 0, result.stderr);
  assertTerminalSafe(result.stdout, 'report');
  const html = readFileSync(output, 'utf8');
  assert.ok(!html.includes('<img'), 'no element from a name');
  assert.equal(html.split('</script>').length - 1, 3, 'only the report’s own three script elements close');
  assert.equal((html.match(/<script\b/g) ?? []).length, 3, 'only the report’s own three script elements open');
  assert.doesNotMatch(html, /[\u2028\u2029]/, 'no raw line separators inside the embedded data');
  const json = /<script type="application\/json" id="heapsleuth-data">([^<]*)<\/script>/.exec(html)?.[1];
  assert.ok(json, 'the data is embedded as JSON');
  const data = JSON.stringify(JSON.parse(json));
  for (const name of [HTML_NAME, TERMINAL_NAME]) assert.ok(data.includes(JSON.stringify(name).slice(1, -1)), 'the name survives exactly, as data');
});
