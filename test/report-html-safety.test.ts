import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Frame, Snapshot, Traceback } from '../src/model/index.js';
import { parseRecording } from '../src/formats/recording.js';
import type { SeriesFinding, Verdict } from '../src/analysis/verdict.js';
import { jsonForScript, renderHtmlReport } from '../src/report/html.js';
import { buildReportData } from '../src/report/report-data.js';
import { flameTree } from '../src/report/flame-tree.js';
import { recordingText } from './recording-text.js';

const MiB = 1024 * 1024;
const HOSTILE = '</script><img src=x onerror=alert(1)>\u2028&amp;';

function recordingWith(functionName: string) {
  const leak = new Traceback([new Frame('src/leak.js', 10, functionName), new Frame('src/main.js', 1, 'main')]);
  const steady = new Traceback([new Frame('node:internal/timers', 5, 'listOnTimeout')]);
  const samples = Array.from({ length: 5 }, (_, i) => ({
    traces: [
      { traceback: leak, size: (i + 1) * MiB, count: i + 1 },
      { traceback: steady, size: MiB, count: 1 },
    ],
    process: {
      time: 1_000_000 + i * 60_000,
      memory: { rss: (100 + i) * MiB, heapTotal: 60 * MiB, heapUsed: (40 + i) * MiB, external: 2 * MiB, arrayBuffers: MiB },
      gc: { major: { count: i * 2, pauseMs: i }, minor: { count: i * 10, pauseMs: i } },
      handles: { Timeout: i, [HOSTILE]: 1 },
      openFds: 20 + i,
    },
  }));
  const text = recordingText(samples, {
    service: HOSTILE,
    argv: ['node', HOSTILE],
    startTime: new Date(1_000_000).toISOString(),
    limits: { heapLimitBytes: 4096 * MiB },
  });
  return parseRecording(text, 'test.ndjson');
}

function flat(lastBytes: number): SeriesFinding {
  return { growthBytesPerHour: 0, leak: false, confidence: 0, lastBytes };
}

function verdictFor(functionName: string): Verdict {
  return {
    verdict: 'leak',
    service: HOSTILE,
    runtime: 'node',
    window: { start: new Date(1_000_000).toISOString(), end: new Date(1_240_000).toISOString(), samples: 5, durationSeconds: 240 },
    suspects: [
      {
        rank: 1,
        keyType: 'lineno',
        file: 'src/leak.js',
        line: 10,
        function: functionName,
        growthBytesPerHour: 15 * MiB,
        liveBytes: 5 * MiB,
        confidence: 0.99,
        pValue: 0.01,
        traceback: [{ file: 'src/leak.js', line: 10, function: functionName }],
        series: [0, 1, 2, 3, 4].map((i) => ({ time: 1_000_000 + i * 60_000, value: (i + 1) * MiB })),
      },
    ],
    process: { rss: flat(104 * MiB), heapUsed: flat(44 * MiB), external: flat(2 * MiB), arrayBuffers: flat(MiB), nativeGap: flat(40 * MiB) },
    handles: [],
    restarts: [],
    projection: { limitBytes: 4096 * MiB, limitKind: 'heap', hoursToLimit: 270 },
    warnings: [HOSTILE],
  };
}

test('jsonForScript escapes what could end the script element or break JavaScript', () => {
  const text = jsonForScript({ name: HOSTILE });
  assert.doesNotMatch(text, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(text), { name: HOSTILE });
});

test('the report holds hostile names only inside the escaped JSON and the escaped title', () => {
  const html = renderHtmlReport(verdictFor(HOSTILE), [recordingWith(HOSTILE)], { now: new Date(0) });
  assert.ok(!html.includes('<img'), 'no markup from a profile');
  assert.equal(html.split('</script>').length - 1, 3, 'only the three script elements close');
  assert.ok(html.includes('<title>heapsleuth: leak · &#60;/script&#62;&#60;img src=x onerror=alert(1)&#62;\u2028&#38;amp;</title>'));
  const json = /<script type="application\/json" id="heapsleuth-data">([^<]*)<\/script>/.exec(html)?.[1];
  assert.ok(json, 'the data is embedded');
  const data = JSON.parse(json) as { verdict: { service: string }; suspects: Array<{ function: string }> };
  assert.equal(data.verdict.service, HOSTILE);
  assert.equal(data.suspects[0]!.function, HOSTILE);
});

test('the report is self-contained and its policy allows only its own scripts, no network', () => {
  const html = renderHtmlReport(verdictFor('hoard'), [recordingWith('hoard')]);
  const urls = html.match(/https?:\/\/[^\s"'()<>]+/g) ?? [];
  // XML namespaces, and uPlot's license header (a comment), are the only URLs.
  const allowed = (url: string) => url.startsWith('http://www.w3.org/') || url === 'https://github.com/leeoniya/uPlot';
  assert.deepEqual([...new Set(urls.filter((url) => !allowed(url)))], [], 'no URL that could be fetched');
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1]?.replace(/&#39;/g, "'");
  assert.ok(csp, 'has a Content-Security-Policy');
  assert.match(csp, /default-src 'none'/);
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]!);
  assert.equal(scripts.length, 2, 'uPlot and the page script');
  for (const script of scripts) assert.ok(csp.includes(`'sha256-${createHash('sha256').update(script).digest('base64')}'`), 'each inline script is allowed by its hash');
  assert.doesNotMatch(csp, /unsafe-inline'[^;]*;?\s*$|script-src[^;]*unsafe/);
});

test('report data: memory, GC per interval, handles, compare-to-start by key and the flame tree', () => {
  const recording = recordingWith('hoard');
  const data = buildReportData(verdictFor('hoard'), [recording], new Date(0));
  assert.deepEqual(data.memory.t, [1000, 1060, 1120, 1180, 1240]);
  assert.deepEqual(data.memory.rss, [100, 101, 102, 103, 104].map((n) => n * MiB));
  assert.deepEqual(data.memory.nativeGap, [38, 39, 40, 41, 42].map((n) => n * MiB));
  assert.deepEqual(data.memory.majorGcs, [0, 2, 2, 2, 2]);
  assert.deepEqual(data.memory.minorGcs, [0, 10, 10, 10, 10]);
  assert.deepEqual(
    data.handles.series.map((one) => one.type),
    ['Timeout', HOSTILE, 'open file descriptors'],
  );
  assert.deepEqual(data.handles.series[0]!.values, [0, 1, 2, 3, 4]);
  assert.equal(data.suspects[0]!.hoursToLimit, (4096 - 44) / 15);
  assert.deepEqual(data.suspects[0]!.series.t, [1000, 1060, 1120, 1180, 1240]);
  const byLine = data.compare!.rows.lineno;
  assert.deepEqual(byLine[0], { file: 'src/leak.js', line: 10, function: 'hoard', size: 5 * MiB, sizeDiff: 4 * MiB, count: 5, countDiff: 4 });
  assert.deepEqual(data.compare!.rows.filename.map((row) => [row.file, row.sizeDiff]), [['src/leak.js', 4 * MiB], ['node:internal/timers', 0]]);
  assert.equal(data.compare!.sampled, true);
  assert.equal(data.flame!.root.value, 6 * MiB);
  assert.deepEqual(
    data.flame!.root.children.map((child) => [child.name, child.value]),
    [['main', 5 * MiB], ['listOnTimeout', MiB]],
  );
  assert.deepEqual(data.flame!.root.children[0]!.children.map((child) => child.name), ['hoard']);
});

test('the flame tree drops slivers below its threshold but keeps their bytes in the parent', () => {
  const meta = { runtime: 'node' as const, takenAt: '', samplingIntervalBytes: 0, stackDepth: 64 };
  const snapshot = new Snapshot(
    [
      { traceback: new Traceback([new Frame('a.js', 1, 'big'), new Frame('m.js', 1, 'main')]), size: 999_000, count: 1 },
      { traceback: new Traceback([new Frame('b.js', 1, 'tiny'), new Frame('m.js', 1, 'main')]), size: 1_000, count: 1 },
    ],
    meta,
  );
  const root = flameTree(snapshot, 0.01);
  assert.equal(root.value, 1_000_000);
  assert.equal(root.children[0]!.value, 1_000_000);
  assert.deepEqual(root.children[0]!.children.map((child) => child.name), ['big']);
});
