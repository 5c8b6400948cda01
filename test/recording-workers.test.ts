import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readRecordingFile, WORKER_FROM_BYTES, type ReadRecordingOptions } from '../src/formats/recording-file.js';
import { Frame } from '../src/model/frame.js';
import { Traceback } from '../src/model/traceback.js';
import { cliPath, runNode } from './child-process.js';
import { recordingText } from './recording-text.js';
import { tempDir } from './temp-dir.js';

// Big files are read on worker threads, in segments cut anywhere in lines; these tests cut
// small files into many segments and compare with the one-thread read: same lifetimes, same
// warnings, same errors.

const dir = tempDir('heapsleuth-workers-');
const stacks = Array.from({ length: 40 }, (_, i) => new Traceback([new Frame(`src/s${i % 9}.js`, 1 + (i % 4), 'f'), new Frame('src/main.js', i, 'main')]));

function lifetime(pid: number, ticks: number): string {
  return recordingText(
    Array.from({ length: ticks }, (_, t) => ({
      traces: stacks.map((traceback, i) => ({
        traceback,
        size: i === 2 ? 65536 * (1 + t) : 65536 * (1 + (i % 3)) + ((t * i) % 5) * 65536,
        // the leak (stack 2) gains a sampled object every tick, as a real one does
        count: i === 2 ? 1 + t : i % 2 ? 1.5 : 1,
        ...((t + i) % 7 === 0 ? { oldDeaths: 1 + (i % 3) } : {}),
      })),
      process: { time: pid * 1e7 + t * 1000, memory: { rss: 1e8, heapTotal: 5e7, heapUsed: 4e7 + t, external: 0, arrayBuffers: 0 } },
    })),
    { pid },
  );
}

/** The lifetimes (JSON, warnings included) or the error a read gives. */
function outcome(path: string, options: ReadRecordingOptions): string {
  try {
    return JSON.stringify(readRecordingFile(path, options), (key, value: unknown) => (value instanceof Map ? [...value] : value));
  } catch (error) {
    return `error ${(error as Error).constructor.name}: ${(error as Error).message}`;
  }
}

function file(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const long = lifetime(1, 300) + lifetime(2, 40);
const lines = long.split('\n');
const cases: Array<[string, string]> = [
  ['two lifetimes', file('two.ndjson', long)],
  ['a torn last line', file('torn.ndjson', long.slice(0, -40))],
  ['a corrupt line and a blank one', file('corrupt.ndjson', [...lines.slice(0, 60), lines[60]!.slice(0, 300), '', '   ', ...lines.slice(61)].join('\n'))],
  ['CRLF line ends', file('crlf.ndjson', long.replaceAll('\n', '\r\n'))],
  // copytruncate: NUL padding, then the rest of a lifetime whose header went to the copy (long sample lines before any header)
  ['NUL padding and headerless lines', file('padded.ndjson', '\0'.repeat(5000) + lines.slice(30, 90).join('\n') + '\n' + lifetime(3, 50))],
  ['only headerless lines', file('orphans.ndjson', '\0'.repeat(100) + lines.slice(30, 90).join('\n') + '\n')],
  ['not a recording', file('garbage.ndjson', 'x'.repeat(3000) + '\n' + long)],
  ['a JSON array first', file('array.ndjson', '[1,2]\n' + long)],
  ['empty', file('empty.ndjson', '')],
];

for (const [name, path] of cases) {
  test(`read on worker threads in segments cut anywhere: ${name} reads as on one thread`, () => {
    for (const maxPointsPerLifetime of [undefined, 64]) {
      const base = maxPointsPerLifetime === undefined ? {} : { maxPointsPerLifetime };
      const alone = outcome(path, { ...base, workerFromBytes: Infinity });
      for (const segmentBytes of [97, 1000, 8191, 1 << 20]) {
        assert.equal(outcome(path, { ...base, workerFromBytes: 0, segmentBytes }), alone, `segments of ${segmentBytes} bytes, ${maxPointsPerLifetime ?? 'all'} points`);
      }
    }
  });
}

test('the two-lifetime file read on workers holds what was written', () => {
  const [first, second] = readRecordingFile(cases[0]![1], { workerFromBytes: 0, segmentBytes: 1000 });
  assert.equal(first!.samples.length, 300);
  assert.equal(second!.samples.length, 40);
  assert.ok(first!.samples.some((sample) => sample.rows.some((row) => row[3] !== undefined)), 'old deaths read');
});

/** A file of `bytes` bytes: `head`, NUL bytes, then `tail`. */
function bigFile(name: string, bytes: number, head: string, tail: string): string {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  writeSync(fd, head);
  writeSync(fd, Buffer.alloc(bytes - head.length - tail.length), 0, bytes - head.length - tail.length, head.length);
  writeSync(fd, tail, head.length + bytes - head.length - tail.length);
  closeSync(fd);
  return path;
}

test('heapsleuth analyze on big bad files (read on worker threads): one-line error, exit 2, and the process ends', async () => {
  const size = WORKER_FROM_BYTES + 1024;
  const garbage = bigFile('big-garbage.ndjson', size, 'not json at all\n', '\n');
  const headerless = bigFile('big-headerless.ndjson', size, '', '\n' + lines.slice(30, 40).join('\n') + '\n');
  for (const [path, message] of [
    [garbage, /not a heapsleuth recording \(line 1 is not JSON\)/],
    [headerless, /no header line: it continues a recording whose start is in another file/],
  ] as const) {
    const result = await runNode([cliPath, 'analyze', path]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    rmSync(path);
  }
});

test('heapsleuth analyze on a big recording (read on worker threads) gives the verdict of the one-thread read', async () => {
  // a lifetime padded to the worker threshold by blank lines between its samples
  const padding = ' '.repeat(1023) + '\n';
  const path = join(dir, 'big.ndjson');
  const fd = openSync(path, 'w');
  const text = lifetime(4, 300).split('\n');
  let written = 0;
  for (const line of text) {
    written += writeSync(fd, line + '\n');
    for (let i = 0; i < 1000 && written < WORKER_FROM_BYTES + 4096; i++) written += writeSync(fd, padding);
  }
  closeSync(fd);
  const onWorkers = await runNode([cliPath, 'analyze', path, '--json', join(dir, 'workers.json')]);
  assert.equal(onWorkers.code, 0, onWorkers.stderr);
  const verdict = JSON.parse(readFileSync(join(dir, 'workers.json'), 'utf8')) as { verdict: string; window: { samples: number } };
  assert.equal(verdict.verdict, 'leak');
  assert.equal(verdict.window.samples, 300);
  assert.equal(
    outcome(path, { maxPointsPerLifetime: 400 }),
    outcome(path, { maxPointsPerLifetime: 400, workerFromBytes: Infinity }),
  );
  assert.ok(statSync(path).size >= WORKER_FROM_BYTES);
  rmSync(dir, { recursive: true });
});
