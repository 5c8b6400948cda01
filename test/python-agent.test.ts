import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseRecording, snapshotOfSample, type Recording } from '../src/formats/recording.js';
import { cliPath, fixture, repoRoot, runChild } from './child-process.js';
import { tempDir } from './temp-dir.js';

// The Python agent (agents/python) run by the machine's python3 on real programs.

const PYTHON = process.env['PYTHON'] ?? 'python3';
const agentRoot = join(repoRoot, 'agents', 'python');
const preload = join(agentRoot, 'preload');
const leakFixture = 'test/fixtures/py-leak-among-churn.py';
const zeroCodeFixture = 'test/fixtures/py-zero-code-app.py';

/** Env for a child python3: the agent importable, and no HEAPSLEUTH_* settings leaking in from outside. */
function pythonEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PYTHONDONTWRITEBYTECODE: '1' };
  for (const key of Object.keys(process.env)) if (key.startsWith('HEAPSLEUTH_') || key === 'PYTHONPATH') env[key] = undefined;
  return { ...env, ...extra };
}

function runPython(args: string[], env: NodeJS.ProcessEnv) {
  return runChild(PYTHON, args, { env: pythonEnv(env), timeoutMs: 30_000 });
}

function lineOf(file: string, marker: string): number {
  const index = readFileSync(join(repoRoot, file), 'utf8').split('\n').findIndex((line) => line.includes(marker));
  assert.ok(index >= 0, `${marker} in ${file}`);
  return index + 1;
}

/** analyzeRecordings, once the analysis is built (it is written in parallel with this agent). */
interface VerdictShape {
  verdict: string;
  reason?: string;
  suspects: { file: string; line: number; function: string }[];
}

/** analyzeRecordings, once the analysis is built; the fixtures run for about 2 s, under its default minimum window of 5 s. */
async function loadAnalyze(): Promise<((recordings: Recording[]) => VerdictShape) | undefined> {
  const url = new URL('../src/analysis/analyze.js', import.meta.url);
  if (!existsSync(url)) return undefined;
  const module = (await import(url.href)) as { analyzeRecordings?: (recordings: Recording[], options: object) => VerdictShape };
  const analyzeRecordings = module.analyzeRecordings;
  return analyzeRecordings && ((recordings) => analyzeRecordings(recordings, { minWindowSeconds: 1 }));
}

let leakText: string | undefined;

async function recordLeak(): Promise<{ text: string; meta: { blockSize: number; perRound: number; rounds: number; arrayBytes: number[] } }> {
  const out = join(tempDir('hs-py-'), 'leak.ndjson');
  const result = await runPython([leakFixture, out], { PYTHONPATH: agentRoot });
  assert.equal(result.code, 0, result.stderr);
  leakText = readFileSync(out, 'utf8');
  return { text: leakText, meta: JSON.parse(result.stdout) };
}

test('a leak among churn is recorded with exact sizes at the right Python line, and judged a leak there', async (t) => {
  const { text, meta } = await recordLeak();
  const recording = parseRecording(text, 'leak.ndjson');
  assert.deepEqual(recording.warnings, []);
  assert.equal(recording.header.runtime, 'python');
  assert.equal(recording.header.sampling.intervalBytes, 0);
  assert.equal(recording.header.sampling.sampler, 'tracemalloc');
  assert.equal(recording.end?.reason, 'stop');
  // a first tick at start, one per round, a final one at stop, marked as the teardown
  assert.equal(recording.samples.length, meta.rounds + 2);
  assert.deepEqual(recording.samples.map((sample) => sample.final ?? ''), [...Array<string>(meta.rounds + 1).fill(''), 'stop']);

  const leakLine = lineOf(leakFixture, '# LEAK');
  const callLine = lineOf(leakFixture, 'remember(round_number');
  const leakStacks = [...recording.stacks].filter(([, stack]) => stack.mostRecent?.file === leakFixture && stack.mostRecent.line === leakLine);
  assert.equal(leakStacks.length, 1, 'one stack allocates at the leaking line');
  const [leakStackId, leakStack] = leakStacks[0]!;
  assert.equal(leakStack.mostRecent?.functionName, 'remember');
  assert.deepEqual(
    leakStack.frames.slice(1, 2).map((frame) => [frame.file, frame.line, frame.functionName]),
    [[leakFixture, callLine, '<module>']],
  );

  // tracemalloc's sizes are exact: every round leaks perRound blocks of blockSize bytes, and the list's
  // array of pointers (one more block) grows to hold them
  recording.samples.forEach((sample, seq) => {
    const row = sample.rows.find(([stackId]) => stackId === leakStackId);
    const rounds = Math.min(seq, meta.rounds);
    if (rounds === 0) return assert.equal(row, undefined);
    const blocks = rounds * meta.perRound;
    assert.deepEqual(row, [leakStackId, blocks * meta.blockSize + meta.arrayBytes[rounds - 1]!, blocks + 1], `sample ${seq}`);
  });

  const last = recording.samples.at(-1)!;
  assert.ok(last.process.memory.rss > 0 && last.process.memory.heapUsed > 0);
  assert.ok(last.process.memory.heapTotal >= last.process.memory.heapUsed, 'heapTotal is the traced peak');
  assert.deepEqual(Object.keys(last.process.gc ?? {}), ['gen0', 'gen1', 'gen2']);
  assert.ok((last.process.openFds ?? 0) > 0 && (last.process.threads ?? 0) >= 1);
  // the agent's own allocations are left out
  for (const stack of recording.stacks.values()) {
    assert.ok(!stack.frames.some((frame) => frame.file.includes('heapsleuth_agent')), `agent frame in ${String(stack)}`);
  }
  // the snapshot model reads it: the leak is the biggest line at the end
  const top = snapshotOfSample(recording, last).statistics('lineno')[0]!;
  assert.equal(top.traceback.mostRecent?.line, leakLine);

  const analyze = await loadAnalyze();
  if (!analyze) return t.skip('dist/src/analysis/analyze.js is not built yet');
  const verdict = analyze([recording]);
  assert.equal(verdict.verdict, 'leak', verdict.reason);
  assert.equal(verdict.suspects[0]?.file, leakFixture);
  assert.equal(verdict.suspects[0]?.line, leakLine);
  assert.equal(verdict.suspects[0]?.function, 'remember');
});

test('a bounded cache among churn is recorded and judged no-leak', async (t) => {
  const out = join(tempDir('hs-py-'), 'cache.ndjson');
  const result = await runPython(['test/fixtures/py-bounded-cache.py', out], { PYTHONPATH: agentRoot });
  assert.equal(result.code, 0, result.stderr);
  const recording = parseRecording(readFileSync(out, 'utf8'), 'cache.ndjson');
  assert.deepEqual(recording.warnings, []);
  assert.equal(recording.samples.length, 42);
  const analyze = await loadAnalyze();
  if (!analyze) return t.skip('dist/src/analysis/analyze.js is not built yet');
  const verdict = analyze([recording]);
  assert.equal(verdict.verdict, 'no-leak', `${verdict.reason} ${JSON.stringify(verdict.suspects.slice(0, 3))}`);
});

test('a recording cut in the middle of a line is still read, with a warning', async () => {
  const text = leakText ?? (await recordLeak()).text;
  const whole = parseRecording(text, 'whole.ndjson');
  const lastSampleAt = text.lastIndexOf('{"type":"sample"');
  const cut = text.slice(0, lastSampleAt + Math.floor((text.indexOf('\n', lastSampleAt) - lastSampleAt) / 2));
  const torn = parseRecording(cut, 'torn.ndjson');
  assert.equal(torn.samples.length, whole.samples.length - 1);
  assert.equal(torn.warnings.length, 1);
  assert.match(torn.warnings[0]!, /torn last line/);
  assert.equal(torn.end, undefined);
});

test('an unwritable output folder leaves the app running, with exactly one warning', async () => {
  const dir = tempDir('hs-py-');
  writeFileSync(join(dir, 'a-file'), 'not a folder');
  const result = await runPython(['-m', 'heapsleuth_agent', zeroCodeFixture], {
    PYTHONPATH: agentRoot,
    HEAPSLEUTH_OUT: join(dir, 'a-file', 'recordings'),
    HEAPSLEUTH_INTERVAL: '50ms',
    HEAPSLEUTH_LOG: 'off',
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).name, '__main__');
  const lines = result.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /^heapsleuth: warning: cannot write the recording .*a-file\/recordings\/py-zero-code-app-\d+-\d{8}T\d{6}Z\.ndjson: ENOTDIR/);
});

test('python3 -m heapsleuth_agent runs the script as python3 would, records it and logs JSON events', async () => {
  const out = tempDir('hs-py-');
  const result = await runPython(['-m', 'heapsleuth_agent', zeroCodeFixture, 'a', '--b', '--db-password=hunter2'], { PYTHONPATH: agentRoot, HEAPSLEUTH_OUT: out, HEAPSLEUTH_INTERVAL: '0.1' });
  assert.equal(result.code, 0, result.stderr);
  const app = JSON.parse(result.stdout);
  assert.deepEqual([app.name, app.argv, app.pathZeroIsScriptDir], ['__main__', ['a', '--b', '--db-password=hunter2'], true]);

  const files = readdirSync(out);
  assert.equal(files.length, 1);
  assert.match(files[0]!, /^py-zero-code-app-\d+-\d{8}T\d{6}Z\.ndjson$/);
  const recording = parseRecording(readFileSync(join(out, files[0]!), 'utf8'), files[0]);
  assert.equal(recording.header.service, 'py-zero-code-app');
  assert.deepEqual(recording.header.argv.slice(-3), ['a', '--b', '--db-password=[redacted]'], 'secrets in argv are redacted');
  assert.equal(recording.end?.reason, 'exit');
  assert.ok(recording.samples.length >= 2);
  assert.equal(recording.samples.at(-1)!.final, 'exit', 'the tick at exit is marked as the teardown');
  const keptLine = lineOf(zeroCodeFixture, 'kept.append');
  const sites = [...recording.stacks.values()].map((stack) => `${stack.mostRecent?.file}:${stack.mostRecent?.line}`);
  assert.ok(sites.includes(`${zeroCodeFixture}:${keptLine}`), sites.join(', '));

  // zero-code logging defaults to pino-style JSON lines on stderr, as the Node agent's
  const events = result.stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const top = events.find((event) => event.event === 'top_current');
  assert.ok(top, result.stderr);
  assert.equal(top.name, 'heapsleuth');
  assert.equal(top.level, 30);
  assert.equal(typeof top.size, 'number');
  assert.ok(events.some((event) => event.event === 'tick' && typeof event.tickMs === 'number'));
});

test('the sitecustomize preload starts the agent and keeps an existing sitecustomize working', async () => {
  const existing = tempDir('hs-py-site-');
  writeFileSync(join(existing, 'sitecustomize.py'), 'import os\nos.environ["EXISTING_SITECUSTOMIZE_RAN"] = "1"\n');
  const out = tempDir('hs-py-');
  const result = await runPython([zeroCodeFixture], {
    PYTHONPATH: [preload, existing].join(delimiter),
    HEAPSLEUTH_OUT: out,
    HEAPSLEUTH_INTERVAL: '0.1',
    HEAPSLEUTH_LOG: 'off',
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  const app = JSON.parse(result.stdout);
  assert.deepEqual([app.existingSitecustomize, app.agentLoaded, app.pathZeroIsScriptDir], [true, true, true]);
  const files = readdirSync(out);
  assert.equal(files.length, 1);
  assert.ok(parseRecording(readFileSync(join(out, files[0]!), 'utf8')).samples.length >= 2);

  const disabled = await runPython([zeroCodeFixture], { PYTHONPATH: [preload, existing].join(delimiter), HEAPSLEUTH_OUT: out, HEAPSLEUTH_DISABLE: '1' });
  assert.equal(disabled.code, 0, disabled.stderr);
  assert.equal(JSON.parse(disabled.stdout).existingSitecustomize, true);
  assert.equal(readdirSync(out).length, 1, 'HEAPSLEUTH_DISABLE=1 records nothing');
});

/** The fixture under the zero-code preload, sent SIGTERM once it has served for `serveMs`. */
async function runUntilSigterm(mode: string, serveMs: number): Promise<{ result: Awaited<ReturnType<typeof runPython>>; out: string }> {
  const out = tempDir('hs-py-term-');
  const result = await runChild(PYTHON, [shutdownFixture], {
    env: pythonEnv({ PYTHONPATH: preload, HEAPSLEUTH_OUT: out, HEAPSLEUTH_INTERVAL: '0.1', HEAPSLEUTH_LOG: 'off', MODE: mode }),
    timeoutMs: 30_000,
    onSpawn: (child) => {
      child.stdout!.once('data', () => setTimeout(() => child.kill('SIGTERM'), serveMs));
    },
  });
  return { result, out };
}

const shutdownFixture = 'test/fixtures/py-graceful-shutdown.py';

test('a Python service that frees its cache on SIGTERM is judged on its running phase: the shutdown ticks are marked', async () => {
  const { result, out } = await runUntilSigterm('graceful', 6000);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /drained/, 'the app ran its own handler and shut down on its own terms');
  const files = readdirSync(out);
  assert.equal(files.length, 1, files.join(', '));
  const recording = parseRecording(readFileSync(join(out, files[0]!), 'utf8'), files[0]);
  assert.equal(recording.end?.reason, 'exit');
  // the ticks of the running phase are unmarked, every tick from the signal on carries it
  const marks = recording.samples.map((sample) => sample.final ?? '');
  const firstMarked = marks.indexOf('SIGTERM');
  assert.ok(firstMarked > 0, marks.join(','));
  assert.deepEqual(marks.slice(firstMarked), marks.slice(firstMarked).map(() => 'SIGTERM'), marks.join(','));
  assert.ok(marks.length - firstMarked >= 3, `the slow shutdown spans several ticks: ${marks.join(',')}`);

  const leakLine = lineOf(shutdownFixture, '# LEAK');
  const analyzed = await runChild(process.execPath, [cliPath, 'analyze', join(out, files[0]!), '--json'], { env: { NO_COLOR: '1' } });
  const verdict = JSON.parse(analyzed.stdout) as VerdictShape & { teardown?: { reason: string; releasedBytes: number } };
  assert.equal(verdict.verdict, 'leak', analyzed.stdout);
  assert.deepEqual([verdict.suspects[0]?.file, verdict.suspects[0]?.line, verdict.suspects[0]?.function], [shutdownFixture, leakLine, 'handle'], analyzed.stdout);
  // what the shutdown freed is a fact about the teardown, not evidence against the leak
  assert.equal(verdict.teardown?.reason, 'SIGTERM');
  assert.ok((verdict.teardown?.releasedBytes ?? 0) > 0, JSON.stringify(verdict.teardown));
});

test('a Python service without a SIGTERM handler still dies of SIGTERM under the agent', async () => {
  const { result, out } = await runUntilSigterm('plain', 500);
  assert.equal(result.signal, 'SIGTERM', `exit ${result.code}: ${result.stderr}`);
  assert.doesNotMatch(result.stdout, /drained/);
  const files = readdirSync(out);
  assert.equal(files.length, 1, files.join(', '));
  const recording = parseRecording(readFileSync(join(out, files[0]!), 'utf8'), files[0]);
  assert.ok(recording.samples.length >= 1);
  assert.ok(recording.samples.every((sample) => sample.final === undefined), 'no tick after the kill');
});
