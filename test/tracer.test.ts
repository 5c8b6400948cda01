import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseRecording, snapshotOfSample, type Recording } from '../src/index.js';
import { compiledFixture, fixture, registerPath, runNode } from './child-process.js';
import { tempDir } from './temp-dir.js';

function outDir(): string {
  return tempDir('heapsleuth-tracer-');
}

function readOnlyRecording(dir: string): Recording {
  const files = readdirSync(dir).filter((name) => name.endsWith('.ndjson'));
  assert.equal(files.length, 1, `one recording expected in ${dir}, found ${files.join(', ')}`);
  return parseRecording(readFileSync(join(dir, files[0]!), 'utf8'), files[0]);
}

function topGrowerOf(recording: Recording) {
  const first = snapshotOfSample(recording, recording.samples[0]!);
  const last = snapshotOfSample(recording, recording.samples.at(-1)!);
  return last.compareTo(first, 'lineno')[0]!.traceback.mostRecent!;
}

function logEvents(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const agentEnv = (dir: string, extra: NodeJS.ProcessEnv = {}) => ({
  HEAPSLEUTH_OUT: dir,
  HEAPSLEUTH_INTERVAL: '250ms',
  HEAPSLEUTH_SAMPLING_INTERVAL: '16384',
  HEAPSLEUTH_SERVICE: 'shop',
  ...extra,
});

test('an ESM app started with --import heapsleuth/register records ticks and logs pino-style events', async () => {
  const dir = outDir();
  // 300 rounds of work however long they take (3 s or more), not a time: under load a timed
  // run did less work, and the cart it grew was outweighed by the churn's garbage that no
  // scavenge had collected yet at the last tick (up to a young generation, 16 MiB). 300 rounds
  // of 1000 items grow the cart by over 30 MiB, and fit four ticks or more.
  const result = await runNode(['--import', registerPath, fixture('traced-app.mjs')], { env: agentEnv(dir, { ROUNDS: '300', ITEMS: '1000' }) });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /goodbye after \d+ items/);
  const recording = readOnlyRecording(dir);
  assert.equal(recording.header.service, 'shop');
  assert.equal(recording.header.pid > 0, true);
  assert.equal(recording.header.sampling.intervalBytes, 16384);
  assert.ok(recording.header.limits.heapLimitBytes! > 0);
  assert.ok(recording.samples.length >= 4, `${recording.samples.length} samples`);
  assert.equal(recording.end?.reason, 'exit', 'a final tick and an end line on normal exit');
  assert.deepEqual(recording.warnings, []);
  assert.ok(recording.samples.every((sample) => typeof sample.tickMs === 'number' && sample.process.memory.rss > 0));
  const grower = topGrowerOf(recording);
  assert.equal(grower.file, 'test/fixtures/traced-app.mjs');
  assert.equal(grower.functionName, 'growCart');

  const events = logEvents(result.stderr);
  const kinds = new Set(events.map((event) => event['event']));
  for (const kind of ['top_current', 'since_start', 'traceback', 'tick']) assert.ok(kinds.has(kind), `no ${kind} event`);
  const since = events.filter((event) => event['event'] === 'since_start' && event['rank'] === 1).at(-1)!;
  assert.equal(since['level'], 30);
  assert.equal(since['name'], 'heapsleuth');
  assert.equal(since['function'], 'growCart');
  assert.match(String(since['msg']), /^since_start #1: test\/fixtures\/traced-app\.mjs:\d+: size=.* \(\+/);
});

test('a CommonJS app started with --require heapsleuth/register is recorded', async () => {
  const dir = outDir();
  const result = await runNode(['--require', 'heapsleuth/register', fixture('traced-app.cjs')], { env: agentEnv(dir, { HEAPSLEUTH_LOG: 'off' }) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  const recording = readOnlyRecording(dir);
  assert.ok(recording.samples.length >= 3);
  assert.equal(topGrowerOf(recording).functionName, 'legacyLeak');
});

test('a TypeScript app with source maps is recorded in .ts lines', async () => {
  const dir = outDir();
  const result = await runNode(['--import', registerPath, compiledFixture('ts-app/traced-service.js')], { env: agentEnv(dir, { HEAPSLEUTH_LOG: 'off' }) });
  assert.equal(result.code, 0, result.stderr);
  const grower = topGrowerOf(readOnlyRecording(dir));
  assert.equal(grower.file, 'test/fixtures/ts-app/traced-service.ts');
  // issueInvoice() starts on line 9 of the .ts (line 2 of the .js); once hot, V8 inlines
  // it into the interval callback on line 13 (line 5 of the .js) and charges it there.
  assert.ok([9, 13].includes(grower.line), `line ${grower.line}`);
});

test('HEAPSLEUTH_SIGNAL=SIGUSR2 takes an extra tick at once', async () => {
  const dir = outDir();
  const result = await runNode(['--import', registerPath, fixture('traced-app.mjs')], {
    env: agentEnv(dir, { HEAPSLEUTH_INTERVAL: '1h', HEAPSLEUTH_LOG: 'off', HEAPSLEUTH_SIGNAL: 'SIGUSR2', RUN_MS: '1200' }),
    onSpawn: (child) => {
      child.stdout!.once('data', () => {
        setTimeout(() => child.kill('SIGUSR2'), 300);
        setTimeout(() => child.kill('SIGUSR2'), 600);
      });
    },
  });
  assert.equal(result.code, 0, result.stderr);
  // the first tick at start, two on demand, the final one at exit
  assert.equal(readOnlyRecording(dir).samples.length, 4);
});

test('a SIGKILLed process leaves a recording the reader accepts', async () => {
  const dir = outDir();
  const result = await runNode(['--import', registerPath, fixture('traced-app.mjs')], {
    env: agentEnv(dir, { HEAPSLEUTH_LOG: 'off', RUN_MS: 'forever', HEAPSLEUTH_INTERVAL: '100ms' }),
    onSpawn: (child) => child.stdout!.once('data', () => setTimeout(() => child.kill('SIGKILL'), 1000)),
  });
  assert.equal(result.signal, 'SIGKILL');
  const recording = readOnlyRecording(dir);
  assert.ok(recording.samples.length >= 3, `${recording.samples.length} samples`);
  assert.equal(recording.end, undefined);
});

test('SIGTERM with no handler in the app still writes the final tick, then terminates', async () => {
  const dir = outDir();
  const result = await runNode(['--import', registerPath, fixture('traced-app.mjs')], {
    env: agentEnv(dir, { HEAPSLEUTH_LOG: 'off', RUN_MS: 'forever', HEAPSLEUTH_INTERVAL: '1h' }),
    onSpawn: (child) => child.stdout!.once('data', () => setTimeout(() => child.kill('SIGTERM'), 500)),
  });
  assert.equal(result.signal, 'SIGTERM', 'the host dies of the signal as it would without heapsleuth');
  const recording = readOnlyRecording(dir);
  assert.equal(recording.samples.length, 2);
  assert.equal(recording.end?.reason, 'SIGTERM');
});

test('a torn last line is ignored with a warning', () => {
  const dir = outDir();
  const path = join(dir, 'torn.ndjson');
  writeFileSync(
    path,
    '{"type":"header","format":"heapsleuth-recording","version":1,"runtime":"node","startTime":"2026-01-01T00:00:00Z","sampling":{"intervalBytes":1,"stackDepth":1}}\n' +
      '{"type":"sample","seq":0,"time":1,"memory":{"rss":1,"heapTotal":1,"heapUsed":1,"external":0,"arrayBuffers":0},"rows":[]}\n{"type":"sam',
  );
  const recording = parseRecording(readFileSync(path, 'utf8'), 'torn.ndjson');
  assert.equal(recording.samples.length, 1);
  assert.match(recording.warnings.join('\n'), /torn last line 3/);
});

test('an unknown recording version is rejected clearly', () => {
  assert.throws(
    () => parseRecording('{"type":"header","format":"heapsleuth-recording","version":7}\n', 'future.ndjson'),
    /future\.ndjson: recording format version 7 is not supported; this heapsleuth reads versions 1 and 2/,
  );
  assert.throws(() => parseRecording('hello\n', 'x.txt'), /not a heapsleuth recording/);
});

test('an unwritable output folder: the app runs normally and the agent warns once', async () => {
  const dir = outDir();
  writeFileSync(join(dir, 'a-file'), '');
  const result = await runNode(['--import', registerPath, fixture('traced-app.mjs')], {
    env: agentEnv(join(dir, 'a-file', 'sub'), { HEAPSLEUTH_LOG: 'off' }),
  });
  assert.equal(result.code, 0);
  assert.match(result.stdout, /goodbye after \d+ items/);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /^heapsleuth: warning: cannot write the recording .*ENOTDIR/);
});

test('bad environment values fall back to defaults with one warning each', async () => {
  const dir = outDir();
  const result = await runNode(['--import', registerPath, fixture('traced-app.mjs')], {
    env: agentEnv(dir, { HEAPSLEUTH_LOG: 'off', HEAPSLEUTH_TOP: 'many', RUN_MS: '300' }),
  });
  assert.equal(result.code, 0);
  assert.match(result.stderr, /HEAPSLEUTH_TOP="many" is not an integer >= 0; using the default/);
  assert.ok(readOnlyRecording(dir).samples.length >= 2);
});

test('child processes that inherit NODE_OPTIONS each get their own recording', async () => {
  const dir = outDir();
  const result = await runNode([fixture('spawns-child.mjs')], {
    env: agentEnv(dir, { HEAPSLEUTH_LOG: 'off', NODE_OPTIONS: `--import=${pathToFileURL(registerPath).href}`, HEAPSLEUTH_SERVICE: 'parent' }),
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /child said: goodbye after \d+ items/);
  const recordings = readdirSync(dir).map((name) => parseRecording(readFileSync(join(dir, name), 'utf8'), name));
  assert.deepEqual(recordings.map((recording) => recording.header.service).sort(), ['child', 'parent']);
  const [first, second] = recordings;
  assert.notEqual(first!.header.pid, second!.header.pid);
  assert.ok(recordings.every((recording) => recording.samples.length >= 2));
});

test('HEAPSLEUTH_DISABLE=1 turns the agent off', async () => {
  const dir = outDir();
  const result = await runNode(['--import', registerPath, fixture('traced-app.mjs')], { env: agentEnv(dir, { HEAPSLEUTH_DISABLE: '1', RUN_MS: '200' }) });
  assert.equal(result.code, 0);
  assert.deepEqual(readdirSync(dir), []);
});

test('HEAPSLEUTH_SIGNAL=SIGKILL (or SIGSTOP, or a name that is no signal): one warning, on-demand ticks off, the tracer records as usual', async () => {
  for (const signal of ['SIGKILL', 'SIGSTOP', 'SIGNOPE']) {
    const dir = outDir();
    const result = await runNode(['--import', registerPath, fixture('traced-app.mjs')], {
      env: agentEnv(dir, { HEAPSLEUTH_INTERVAL: '1h', HEAPSLEUTH_LOG: 'off', HEAPSLEUTH_SIGNAL: signal, RUN_MS: '300' }),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`^heapsleuth: warning: HEAPSLEUTH_SIGNAL="${signal}": .*; on-demand ticks stay off\\n`));
    // the first tick at start and the final one at exit: a whole recording, not a header alone
    assert.equal(readOnlyRecording(dir).samples.length, 2);
  }
});

test('traceLeaks({ signal: "SIGKILL" }) throws before it starts anything: no profiler, no listeners, no file', async () => {
  const dir = join(outDir(), 'recordings');
  const script = `
    import { traceLeaks, isTracing } from 'heapsleuth';
    const before = process.listenerCount('exit');
    try { traceLeaks({ signal: 'SIGKILL', outDir: ${JSON.stringify(dir)}, logger: false }); console.log('started'); }
    catch (error) { console.log(error.message); }
    console.log(JSON.stringify({ tracing: isTracing(), exitListeners: process.listenerCount('exit') - before }));
  `;
  const result = await runNode(['--input-type=module', '-e', script]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'signal: SIGKILL cannot be used for on-demand ticks (use e.g. SIGUSR2 or SIGPWR)\n{"tracing":false,"exitListeners":0}\n');
  assert.equal(existsSync(dir), false, 'no recording folder or file was created');
});
