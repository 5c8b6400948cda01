import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Frame, Snapshot, Traceback } from '../src/model/index.js';
import { parseRecording, type Recording } from '../src/formats/recording.js';
import { Recorder } from '../src/agent/recorder.js';
import { traceLeaks } from '../src/agent/tracer.js';
import { loadNativeHeapProfiler } from '../src/agent/native-sampler.js';
import type { ProcessSample } from '../src/model/process.js';
import { fixture, registerPath, runChild, runNode, type ChildResult } from './child-process.js';
import { tempDir } from './temp-dir.js';

/**
 * The agent inside a process when things go wrong around it: no place to write, a disk
 * that fills up, its folder deleted, a debugger on the inspector, ten thousand sites, a
 * week of ticks, worker threads coming and going, process.exit() inside a tick. Each
 * time the host keeps running and keeps its behaviour, the agent says so once, and
 * every sample that could be written is in a recording the reader accepts.
 */

const faultApp = (name: string) => fixture(`faults/${name}`);

function workDir(): string {
  return tempDir('heapsleuth-faults-');
}

/** The inspector sampler ticks on time (the native one waits for V8's GCs): counts of samples are predictable. */
function agentEnv(out: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { HEAPSLEUTH_OUT: out, HEAPSLEUTH_INTERVAL: '50ms', HEAPSLEUTH_LOG: 'off', HEAPSLEUTH_RECORD: 'auto', HEAPSLEUTH_SAMPLER: 'inspector', HEAPSLEUTH_DISABLE: '', ...extra };
}

/** The timeout only stops a hung child; ten thousand sites under a loaded CI machine take over 30 s. */
function runTraced(app: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<ChildResult> {
  return runNode(['--import', registerPath, app], { env, timeoutMs });
}

function readRecordings(out: string): Recording[] {
  return readdirSync(out)
    .filter((name) => name.endsWith('.ndjson'))
    .sort()
    .map((name) => parseRecording(readFileSync(join(out, name), 'utf8'), name));
}

function onlyRecording(out: string): Recording {
  const all = readRecordings(out);
  assert.equal(all.length, 1, `one recording in ${out}`);
  return all[0]!;
}

function agentWarnings(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('heapsleuth: warning:'));
}

function seqs(recording: Recording): number[] {
  return recording.samples.map((sample) => sample.seq);
}

/** No sample refers to a stack the file does not define, and no sample number repeats or is skipped. */
function assertConsistent(recording: Recording): void {
  assert.ok(!recording.warnings.some((warning) => /undefined stacks/.test(warning)), recording.warnings.join('\n'));
  const numbers = seqs(recording);
  assert.deepEqual(numbers, numbers.map((_, i) => (numbers[0] ?? 0) + i), 'sample numbers follow each other');
}

/** A small tmpfs of our own (root and mount allowed), or undefined where the machine does not allow it. */
function mountTmpfs(t: TestContext, options: string): string | undefined {
  const dir = join(workDir(), 'mnt');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    t.skip('mounting a tmpfs is not allowed here');
    return undefined;
  }
  t.after(() => {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  });
  return dir;
}

test('an output folder nobody can write to (read-only file system, a path under a file, under /proc): the app runs, one warning', async (t) => {
  const places: Array<[string, RegExp]> = [];
  const dir = workDir();
  // Node 20's mkdirSync(..., { recursive: true }) never returns under /proc: the agent must not hang its host there.
  places.push([join('/proc', `heapsleuth-${process.pid}`, 'out'), /ENOENT/]);
  writeFileSync(join(dir, 'a-file'), '');
  places.push([join(dir, 'a-file', 'out'), /ENOTDIR/]);
  const readOnly = mountTmpfs(t, 'size=64k,ro');
  if (readOnly) places.push([readOnly, /EROFS/]); // the folder exists, the file cannot be created
  for (const [out, code] of places) {
    const result = await runTraced(faultApp('steady-app.mjs'), agentEnv(out, { RUN_MS: '400' }));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^done \d+$/m, 'the app did all its work');
    const warnings = agentWarnings(result.stderr);
    assert.equal(warnings.length, 1, result.stderr);
    assert.match(warnings[0]!, /cannot write the recording .* going on without recording/);
    assert.match(warnings[0]!, code);
  }
});

test('the reader of stderr goes away (`2>&1 | head`, a log shipper that restarts): the agent stops logging, the app runs and exits as it would', async () => {
  const out = workDir();
  // JSON lines on every 50 ms tick into a pipe nobody reads: each write after the reader closed fails with EPIPE
  const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', registerPath, faultApp('steady-app.mjs')], {
      env: { ...process.env, ...agentEnv(out, { HEAPSLEUTH_LOG: 'json', RUN_MS: '1500' }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr.destroy();
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const safety = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(safety);
      resolve({ code, signal, stdout });
    });
  });
  assert.equal(result.code, 0, `the app ends by itself with its own exit code: ${JSON.stringify(result)}`);
  assert.match(result.stdout, /^done \d+$/m, 'the app did all its work');
  assert.ok(onlyRecording(out).samples.length >= 3, 'the recording goes on');
});

test('a full disk (ulimit -f): the app runs, one warning, every sample written before is readable', async () => {
  const out = join(workDir(), 'out');
  const limitKiB = 6;
  const result = await runChild('bash', ['-c', `ulimit -f ${limitKiB} && exec "$0" --import "$1" "$2"`, process.execPath, registerPath, faultApp('steady-app.mjs')], {
    env: agentEnv(out, { RUN_MS: '1500' }),
    timeoutMs: 30_000,
  });
  assert.equal(result.code, 0, `the app was not killed by SIGXFSZ: ${result.signal} ${result.stderr}`);
  assert.match(result.stdout, /^done \d+$/m);
  const warnings = agentWarnings(result.stderr);
  assert.equal(warnings.length, 1, result.stderr);
  assert.match(warnings[0]!, /cannot append to the recording .*EFBIG.* ticks go on and are retried/);
  const recording = onlyRecording(out);
  const size = statSync(join(out, readdirSync(out)[0]!)).size;
  assert.equal(size, limitKiB * 1024, 'the file is as full as the limit allows');
  assert.ok(recording.samples.length >= 2, `samples before the disk filled are kept (${recording.samples.length})`);
  assertConsistent(recording);
  assert.equal(recording.end, undefined, 'the end line did not fit either');
  assert.match(recording.warnings.join('\n'), /torn last line/);
});

test('a full disk that gets space back: ticks while full are lost, later ticks are written whole and readable', async (t) => {
  const disk = mountTmpfs(t, 'size=64k');
  if (!disk) return;
  const filler = join(disk, 'filler');
  writeFileSync(filler, Buffer.alloc(60 * 1024)); // 4 KiB left
  const out = join(disk, 'out');
  const result = await runTraced(faultApp('steady-app.mjs'), agentEnv(out, { RUN_MS: '1800', FREE_PATH: filler, FREE_AT_MS: '900' }));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^freed$/m);
  assert.match(result.stdout, /^done \d+$/m);
  const warnings = agentWarnings(result.stderr);
  assert.equal(warnings.length, 1, result.stderr);
  assert.match(warnings[0]!, /ENOSPC/);
  const recording = onlyRecording(out);
  assertConsistent(recording);
  const freedAt = recording.samples.findIndex((sample, i) => i > 0 && sample.time - recording.samples[i - 1]!.time > 250);
  assert.ok(freedAt > 0, `a gap while the disk was full (${recording.samples.map((sample) => sample.time - recording.samples[0]!.time).join(' ')})`);
  assert.ok(recording.samples.length - freedAt >= 3, 'samples after space came back');
  assert.equal(recording.end?.reason, 'exit', 'the final tick and the end line were written');
  const snapshotRows = recording.samples.at(-1)!.rows.length;
  assert.ok(snapshotRows > 0, 'the stacks of later samples were defined again after the failed write');
});

test('the output folder removed while running: the recording starts again, one warning, the app runs on', async () => {
  const out = join(workDir(), 'out');
  const result = await runTraced(faultApp('steady-app.mjs'), agentEnv(out, { RUN_MS: '1500', REMOVE_PATH: out, REMOVE_AT_MS: '600' }));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^removed$/m);
  assert.match(result.stdout, /^done \d+$/m);
  const warnings = agentWarnings(result.stderr);
  assert.equal(warnings.length, 1, result.stderr);
  assert.match(warnings[0]!, /was removed while recording; it starts again from this tick/);
  const recording = onlyRecording(out);
  assertConsistent(recording);
  assert.ok(recording.samples[0]!.seq > 0, 'the samples before the removal are gone with the folder');
  assert.ok(recording.samples.length >= 5, `samples after the removal (${recording.samples.length})`);
  assert.ok(recording.samples.some((sample) => sample.rows.length > 0));
  assert.equal(recording.end?.reason, 'exit');
  assert.equal(statSync(out).mode & 0o777, 0o700, 'the folder is created again for its owner only');
  assert.equal(statSync(join(out, readdirSync(out)[0]!)).mode & 0o777, 0o600);
});

for (const sampler of ['inspector', 'native'] as const) {
  test(`a debugger on the inspector stops V8's profiler mid-run (${sampler} sampler): the agent restarts it and says so once`, async (t) => {
    if (sampler === 'native' && !loadNativeHeapProfiler()) return t.skip('@datadog/pprof is not installed');
    const out = join(workDir(), 'out');
    const result = await runTraced(
      faultApp('steady-app.mjs'),
      agentEnv(out, { HEAPSLEUTH_SAMPLER: sampler, HEAPSLEUTH_LOG: 'json', HEAPSLEUTH_TOP: '0', HEAPSLEUTH_TRACE: '0', DEBUGGER: '1', STOP_SAMPLING_AT_MS: '500', RUN_MS: '1400' }),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^debugger at ws:\/\/127\.0\.0\.1:\d+\//m, 'the debugger port is the app’s, not the agent’s');
    assert.match(result.stdout, /^stopped sampling$/m);
    assert.match(result.stdout, /^done \d+$/m);
    const events = result.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { event: string; msg: string });
    assert.deepEqual(events.filter((event) => event.event === 'agent_warning'), [], 'no tick failed');
    const restarts = events.filter((event) => /restarted it/.test(event.msg));
    assert.equal(restarts.length, 1, 'said once');
    const recording = onlyRecording(out);
    assertConsistent(recording);
    const stoppedAt = recording.samples.findIndex((sample) => sample.time - recording.samples[0]!.time > 600);
    assert.ok(stoppedAt > 0 && recording.samples.length - stoppedAt >= 3, 'ticks go on after the profiler was stopped');
    assert.ok(recording.samples.at(-1)!.rows.length > 0, 'and see allocations again');
  });
}

test('ten thousand distinct allocation sites: recorded, readable, each stack defined once', async (t) => {
  const out = join(workDir(), 'out');
  const result = await runTraced(faultApp('many-sites-app.mjs'), agentEnv(out, { HEAPSLEUTH_SAMPLING_INTERVAL: '1024', HEAPSLEUTH_INTERVAL: '300ms', SITES: '10000' }), 180_000);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^done 50000 objects from 10000 sites$/m);
  assert.deepEqual(agentWarnings(result.stderr), []);
  const text = readFileSync(join(out, readdirSync(out)[0]!), 'utf8');
  const recording = parseRecording(text, 'many-sites.ndjson');
  assertConsistent(recording);
  const sites = new Set([...recording.stacks.values()].map((stack) => stack.frames[0]?.functionName).filter((name) => /^site\d+$/.test(name ?? '')));
  assert.ok(sites.size >= 9000, `most of the 10 000 sites were sampled (${sites.size})`);
  const stackLines = text.split('\n').filter((line) => line.startsWith('{"type":"stack"')).length;
  assert.equal(stackLines, recording.stacks.size, 'every stack is defined once, however many samples use it');
  const last = recording.samples.at(-1)!;
  assert.ok(last.rows.length >= 9000, 'the last sample holds every sampled site');
  const tickMs = recording.samples.map((sample) => Math.round(sample.tickMs ?? 0));
  const megabytes = (text.length / 1024 / 1024).toFixed(1);
  // Measured numbers for the record (no threshold: machines differ).
  t.diagnostic(`10 000 sites: ${recording.stacks.size} stacks, ${recording.samples.length} samples, ${megabytes} MB, tick ms ${tickMs.join(' ')}`);
});

test('a week of one-minute ticks (simulated): intern tables and the agent’s memory stay flat when stacks repeat', (t) => {
  const gc = exposeGc();
  const dir = workDir();
  const path = join(dir, 'week.ndjson');
  const stacks = Array.from(
    { length: 50 },
    (_, i) => new Traceback([new Frame(`src/site${i}.js`, i + 1, `site${i}`), new Frame('src/server.js', 10, 'handle'), new Frame('node:internal/timers', 1, 'listOnTimeout')]),
  );
  const recorder = Recorder.open(path, {
    runtime: 'node',
    runtimeVersion: process.version,
    pid: 1,
    hostname: 'test',
    service: 'week',
    argv: ['node'],
    cwd: '/',
    startTime: new Date(0).toISOString(),
    sampling: { sampler: 'inspector', intervalBytes: 65536, stackDepth: 64 },
    limits: {},
    agent: { name: 'heapsleuth', version: '0' },
  });
  const minutes = 7 * 24 * 60;
  const heapAt = new Map<number, number>();
  for (let minute = 0; minute < minutes; minute++) {
    // The same stacks every tick, as new objects (the agent sees fresh Traceback objects each tick).
    const snapshot = new Snapshot(
      stacks.map((stack, i) => ({ traceback: new Traceback([...stack.frames]), size: 1000 * (i + 1) + (minute % 7), count: i + 1 })),
      { runtime: 'node', takenAt: new Date(minute * 60_000).toISOString(), samplingIntervalBytes: 65536, stackDepth: 64 },
    );
    const sample: ProcessSample = {
      time: minute * 60_000,
      memory: { rss: 1e8, heapTotal: 5e7, heapUsed: 4e7 + (minute % 60), external: 1e6, arrayBuffers: 1e5 },
      gc: { major: { count: minute, pauseMs: minute * 2 }, minor: { count: minute * 10, pauseMs: minute } },
      handles: { Timeout: 3, TCPSocketWrap: 2 },
    };
    recorder.writeSample(snapshot, sample, { tickMs: 3 });
    assert.equal(recorder.stackCount, stacks.length);
    if (minute === 1000 || minute === minutes - 1) {
      gc();
      heapAt.set(minute, process.memoryUsage().heapUsed);
    }
  }
  recorder.close('stop');
  const growth = heapAt.get(minutes - 1)! - heapAt.get(1000)!;
  assert.ok(growth < 2 * 1024 * 1024, `the agent's heap grew by ${growth} bytes over 9000 ticks`);
  const text = readFileSync(path, 'utf8');
  const recording = parseRecording(text, 'week.ndjson');
  assert.equal(recording.samples.length, minutes);
  assert.equal(recording.stacks.size, stacks.length);
  assert.equal(recording.end?.reason, 'stop');
  const bytesPerSample = (text.length / minutes).toFixed(0);
  t.diagnostic(`a week of ticks: ${(text.length / 1024 / 1024).toFixed(1)} MB, ${bytesPerSample} bytes per sample of ${stacks.length} stacks, heap growth ${growth} bytes`);
});

test('hundreds of real ticks in this process: the recording stops defining new stacks, the tracer’s memory stays flat', (t) => {
  const gc = exposeGc();
  const path = join(workDir(), 'ticks.ndjson');
  const tracer = traceLeaks({ interval: '1h', logger: false, record: path, signal: false, sampler: 'inspector', samplingIntervalBytes: 1024 });
  // A service in a steady state: the same code keeps a rolling window of objects alive.
  const window: object[][] = [];
  const serve = (tick: number) => {
    window[tick % 16] = Array.from({ length: 200 }, (_, i) => ({ tick, i, label: `request-${i}` }));
  };
  const stackLinesAt = new Map<number, number>();
  const heapAt = new Map<number, number>();
  const countStackLines = () => readFileSync(path, 'utf8').split('\n').filter((line) => line.startsWith('{"type":"stack"')).length;
  try {
    for (let i = 1; i <= 250; i++) {
      serve(i);
      assert.ok(tracer.tick(), `tick ${i} worked`);
      if (i === 50 || i === 250) {
        stackLinesAt.set(i, countStackLines());
        gc();
        heapAt.set(i, process.memoryUsage().heapUsed);
      }
    }
  } finally {
    void tracer.stop();
  }
  assert.ok(stackLinesAt.get(50)! > 0, 'the ticks saw allocations');
  const newStacks = stackLinesAt.get(250)! - stackLinesAt.get(50)!;
  assert.ok(newStacks <= 10, `the same code paths give the same stacks: ${newStacks} new after tick 50 (${stackLinesAt.get(50)} before)`);
  const growth = heapAt.get(250)! - heapAt.get(50)!;
  assert.ok(growth < 2 * 1024 * 1024, `the heap grew by ${growth} bytes over 200 ticks`);
  t.diagnostic(`250 real ticks: ${stackLinesAt.get(50)} stacks by tick 50, ${newStacks} new after; heap growth ${growth} bytes`);
  const recording = parseRecording(readFileSync(path, 'utf8'), 'ticks.ndjson');
  assert.equal(recording.samples.length, 252, 'the first tick, 250 asked for, the final one');
});

test('worker threads starting and stopping while the main thread is traced: nothing breaks, every recording reads', async () => {
  for (const workers of ['', '1']) {
    const out = join(workDir(), 'out');
    const result = await runTraced(faultApp('workers-app.mjs'), agentEnv(out, { HEAPSLEUTH_WORKERS: workers, WORKERS: '12' }));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^workers done 12$/m);
    assert.doesNotMatch(result.stdout, /worker error/);
    assert.deepEqual(agentWarnings(result.stderr), []);
    const recordings = readRecordings(out);
    const main = recordings.filter((recording) => recording.header.threadId === undefined);
    assert.equal(main.length, 1, 'one recording of the main thread');
    assert.ok(main[0]!.samples.length >= 2);
    assert.equal(main[0]!.end?.reason, 'exit');
    for (const recording of recordings) {
      assert.deepEqual(recording.warnings, [], `${recording.source} reads cleanly`);
      assertConsistent(recording);
    }
    const threads = recordings.filter((recording) => recording.header.threadId !== undefined);
    if (workers === '') assert.equal(threads.length, 0, 'workers are not traced unless asked');
    else {
      assert.ok(threads.length >= 6, `traced workers each have their own recording (${threads.length} of 12; a worker terminated at once may have none)`);
      assert.equal(new Set(threads.map((recording) => recording.header.threadId)).size, threads.length);
    }
  }
});

test('the host calls process.exit() inside a tick listener: the recording is whole and ends with that tick', async () => {
  const path = join(workDir(), 'exit.ndjson');
  const result = await runNode([faultApp('exit-in-tick.mjs')], { env: { RECORD_PATH: path } });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'tick 1\ntick 2\n', 'the listener ran, and the exit ended the app there');
  assert.equal(result.stderr, '');
  const recording = parseRecording(readFileSync(path, 'utf8'), 'exit.ndjson');
  assert.deepEqual(recording.warnings, []);
  assert.deepEqual(seqs(recording), [0, 1, 2], 'the tick that exited is recorded, no extra tick after it');
  assert.equal(recording.end?.reason, 'exit');
});

/** The collector, for memory measurements in this process. */
function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
