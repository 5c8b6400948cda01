import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SeriesFinding, Suspect, Verdict } from '../src/analysis/verdict.js';
import { renderVerdict } from '../src/report/terminal-verdict.js';
import { shouldUseColor } from '../src/report/color.js';

const MiB = 1024 * 1024;
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/;

function flat(lastBytes: number): SeriesFinding {
  return { growthBytesPerHour: 0, leak: false, confidence: 0, lastBytes };
}

function suspect(overrides: Partial<Suspect> = {}): Suspect {
  return {
    rank: 1,
    keyType: 'lineno',
    file: 'src/sessions.ts',
    line: 42,
    function: 'remember',
    growthBytesPerHour: 38.2 * MiB,
    liveBytes: 214 * MiB,
    confidence: 0.9993,
    pValue: 0.0007,
    traceback: [
      { file: 'src/sessions.ts', line: 42, function: 'remember' },
      { file: 'src/routes/login.ts', line: 17, function: 'handle' },
    ],
    series: [],
    ...overrides,
  };
}

function verdict(overrides: Partial<Verdict> = {}): Verdict {
  return {
    verdict: 'no-leak',
    service: 'checkout',
    runtime: 'node',
    window: { start: '2026-11-23T19:00:00.000Z', end: '2026-11-23T21:03:00.000Z', samples: 42, durationSeconds: 2 * 3600 + 180 },
    suspects: [],
    process: { rss: flat(300 * MiB), heapUsed: flat(230 * MiB), external: flat(2 * MiB), arrayBuffers: flat(MiB), nativeGap: flat(20 * MiB) },
    handles: [],
    restarts: [],
    projection: { limitBytes: 512 * MiB, limitKind: 'cgroup', hoursToLimit: null },
    warnings: [],
    ...overrides,
  };
}

test('a leak names the site, its rate, confidence, traceback, time to the limit and the next step', () => {
  const text = renderVerdict(verdict({ verdict: 'leak', suspects: [suspect()] }), { color: false, recordings: ['.heapsleuth/checkout-1.ndjson'] });
  assert.doesNotMatch(text, ANSI);
  assert.match(text, /^heapsleuth LEAK · checkout \(node\) · 42 samples over 2 h 3 min · 1 suspect\n/);
  assert.match(text, /\n {2}LEAK {6}src\/sessions\.ts:42 remember\(\) {2}\+38\.2 MiB\/h {2}\(confidence 99\.9%, 214 MiB live\)\n/);
  assert.match(text, /\n {12}at remember \(src\/sessions\.ts:42\) <- handle \(src\/routes\/login\.ts:17\)\n/);
  // (512 - 300) MiB at 38.2 MiB/h
  assert.match(text, /container memory limit 512 MiB reached in ~5\.5 h at this rate/);
  assert.match(text, /NEXT {6}open src\/sessions\.ts:42 \(remember\)/);
  assert.match(text, /heapsleuth report \.heapsleuth\/checkout-1\.ndjson -o report\.html/);
});

test('suspect columns are aligned', () => {
  const text = renderVerdict(
    verdict({
      verdict: 'leak',
      suspects: [suspect(), suspect({ rank: 2, file: 'src/a.ts', line: 3, function: 'put', growthBytesPerHour: 1.5 * MiB, traceback: [] })],
    }),
    { color: false },
  );
  const leakLines = text.split('\n').filter((line) => line.startsWith('  LEAK'));
  assert.equal(leakLines.length, 2);
  assert.equal(leakLines[0]!.indexOf('/h'), leakLines[1]!.indexOf('/h'));
  assert.match(leakLines[1]!, /src\/a\.ts:3 put\(\) +\+1536 KiB\/h/);
});

test('process findings: native growth, external memory, handles and restarts', () => {
  const text = renderVerdict(
    verdict({
      verdict: 'leak',
      process: {
        rss: { growthBytesPerHour: 40 * MiB, leak: true, confidence: 0.99, lastBytes: 300 * MiB },
        heapUsed: flat(50 * MiB),
        external: { growthBytesPerHour: 8 * MiB, leak: true, confidence: 0.98, lastBytes: 60 * MiB },
        arrayBuffers: flat(MiB),
        nativeGap: { growthBytesPerHour: 30 * MiB, leak: true, confidence: 0.97, lastBytes: 200 * MiB },
      },
      handles: [{ type: 'Timeout', count: 1200, growthPerHour: 3600, leak: true, confidence: 0.999 }],
      restarts: [{ time: Date.UTC(2026, 10, 23, 19, 52, 10), previousPid: 4242, pid: 4300, previousPeakRssBytes: 510 * MiB }],
      projection: { limitBytes: 512 * MiB, limitKind: 'cgroup', hoursToLimit: 5.3 },
    }),
    { color: false, htmlPath: 'report.html', jsonPath: 'verdict.json' },
  );
  assert.match(text, /NATIVE {4}\+30\.0 MiB\/h of RSS growth not explained by JS allocations/);
  assert.match(text, /EXTERNAL {2}\+8192 KiB\/h of external memory/);
  assert.match(text, /HANDLES {3}Timeout: 1200 open, \+3600\/h/);
  assert.match(text, /RESTART {3}2026-11-23 19:52:10 UTC: pid 4242 -> 4300, RSS had peaked at 510 MiB/);
  assert.match(text, /LIMIT {5}container memory limit 512 MiB reached in ~5\.3 h/);
  assert.match(text, /charts and tracebacks: report\.html/);
  assert.match(text, /verdict as JSON: verdict\.json/);
});

test('no leak says so with the current memory', () => {
  const text = renderVerdict(verdict(), { color: false });
  assert.match(text, /^heapsleuth no leak · checkout/);
  assert.match(text, /OK {8}no allocation site, process memory series or handle type grows/);
  assert.match(text, /RSS 300 MiB \(\+0 B\/h\), heap used 230 MiB/);
  assert.doesNotMatch(text, /LEAK/);
});

test('inconclusive gives the reason and how to get a verdict', () => {
  const text = renderVerdict(verdict({ verdict: 'inconclusive', reason: 'only 3 samples over 6 s; need at least 10' }), { color: false });
  assert.match(text, /^heapsleuth inconclusive · /);
  assert.match(text, /WHY {7}only 3 samples over 6 s; need at least 10/);
  assert.match(text, /NEXT {6}record longer/);
});

test('colors only when asked', () => {
  const leak = verdict({ verdict: 'leak', suspects: [suspect()] });
  assert.match(renderVerdict(leak, { color: true }), /\u001b\[31m\u001b\[1mLEAK\u001b\[22m\u001b\[39m/);
  assert.doesNotMatch(renderVerdict(leak, { color: false }), ANSI);
});

test('shouldUseColor follows NO_COLOR, FORCE_COLOR, TERM=dumb and the TTY', () => {
  assert.equal(shouldUseColor({ isTTY: true }, {}), true);
  assert.equal(shouldUseColor({ isTTY: false }, {}), false);
  assert.equal(shouldUseColor({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(shouldUseColor({ isTTY: true }, { NO_COLOR: '' }), true);
  assert.equal(shouldUseColor({ isTTY: true }, { NO_COLOR: '1', FORCE_COLOR: '1' }), false);
  assert.equal(shouldUseColor({ isTTY: false }, { FORCE_COLOR: '1' }), true);
  assert.equal(shouldUseColor({ isTTY: true }, { FORCE_COLOR: '0' }), false);
  assert.equal(shouldUseColor({ isTTY: true }, { TERM: 'dumb' }), false);
});

test('hostile names from profiles cannot reach the terminal as escapes or reordered text', () => {
  const hostile = 'evil\u001b[2J\u001b]0;owned\u0007\r\u202egnp.exe\u2066';
  const text = renderVerdict(
    verdict({
      verdict: 'leak',
      service: 'svc\u001b[31m',
      suspects: [suspect({ function: hostile, file: 'src/\u202eevil.ts', traceback: [{ file: 'x\n.ts', line: 1, function: hostile }] })],
      warnings: ['bad\u001b[Kwarning'],
    }),
    { color: false },
  );
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  assert.match(text, /at evil\\u\{1b\}\[2J\\u\{1b\}\]0;owned\\u\{7\}\\u\{d\}\\u\{202e\}gnp\.exe\\u\{2066\} \(x\\u\{a\}\.ts:1\)/);
  assert.match(text, /svc\\u\{1b\}\[31m/);
  assert.match(text, /x\\u\{a\}\.ts:1/);
});
