import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Verdict } from '../src/analysis/verdict.js';
import { cliPath, fixture, runNode, type ChildResult } from './child-process.js';

interface RunOutcome {
  result: ChildResult;
  verdict: Verdict;
}

/** `heapsleuth run` on a fixture service for a few seconds; returns its output and JSON verdict. */
async function heapsleuthRun(service: string, duration: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'heapsleuth-run-'));
  const json = join(dir, 'verdict.json');
  const result = await runNode(
    [cliPath, 'run', '--quiet', '--duration', duration, '--interval', '250ms', '--sampling-interval', '16KiB', '--out', join(dir, 'rec'), '--json', json, ...extra, '--', process.execPath, fixture(`services/${service}`)],
    { env: { NO_COLOR: '1', ...env } },
  );
  let verdict: Verdict;
  try {
    verdict = JSON.parse(readFileSync(json, 'utf8')) as Verdict;
  } catch {
    assert.fail(`no verdict written; exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return { result, verdict };
}

test('a leak hidden in heavy churn: verdict leak, blamed on the right file and line', async () => {
  const { result, verdict } = await heapsleuthRun('leak-in-churn.mjs', '6s', ['--fail-on-leak']);
  assert.equal(verdict.verdict, 'leak', result.stdout);
  assert.equal(result.code, 1, 'exit code 1 with --fail-on-leak');
  const top = verdict.suspects[0]!;
  assert.equal(top.file, 'test/fixtures/services/leak-in-churn.mjs');
  // rememberRequest() starts on line 5; once hot, V8 inlines it into its only caller, the
  // interval callback on line 15, and charges its allocations there (docs/accuracy.md).
  assert.ok((top.function === 'rememberRequest' && top.line === 5) || (top.function === '' && top.line === 15), JSON.stringify(top));
  assert.ok(top.growthBytesPerHour > 0 && top.confidence > 0.9);
  assert.ok(!verdict.suspects.some((suspect) => suspect.function === 'handleRequest'), 'the garbage site is not a suspect');
  assert.match(result.stdout, /LEAK/);
  assert.match(result.stdout, /leak-in-churn\.mjs:(5|15)/);
});

test('a bounded LRU cache: no-leak', async () => {
  const { result, verdict } = await heapsleuthRun('bounded-lru.mjs', '6s', ['--fail-on-leak']);
  assert.equal(verdict.verdict, 'no-leak', JSON.stringify(verdict.suspects.slice(0, 2)));
  assert.equal(result.code, 0);
});

test('a saw-tooth that returns to its floor: no-leak', async () => {
  const { verdict } = await heapsleuthRun('sawtooth.mjs', '6s');
  assert.equal(verdict.verdict, 'no-leak', JSON.stringify(verdict.suspects.slice(0, 2)));
});

test('a Buffer leak is reported as external growth', async () => {
  const { verdict } = await heapsleuthRun('buffer-leak.mjs', '6s');
  assert.equal(verdict.verdict, 'leak');
  assert.equal(verdict.process.external.leak, true);
  assert.ok(verdict.process.external.growthBytesPerHour > 1e8);
  assert.equal(verdict.process.arrayBuffers.leak, true);
});

test('timers and sockets never closed are reported as handle leaks', async () => {
  const { verdict } = await heapsleuthRun('handle-leak.mjs', '6s');
  assert.equal(verdict.verdict, 'leak');
  const leaking = verdict.handles.filter((handle) => handle.leak).map((handle) => handle.type);
  assert.ok(leaking.includes('Timeout'), `leaking handles: ${leaking.join(', ')}`);
  assert.ok(leaking.includes('TCPSocketWrap') || leaking.includes('fds'), `leaking handles: ${leaking.join(', ')}`);
});

test('a run too short to tell is inconclusive, with the reason', async () => {
  const { verdict } = await heapsleuthRun('leak-in-churn.mjs', '700ms');
  assert.equal(verdict.verdict, 'inconclusive');
  // 700 ms at 250 ms intervals: at most 4 samples, fewer than the 10 the detective needs.
  assert.match(verdict.reason ?? '', /^only [0-4] samples? in process lifetimes of 3 or more; at least 10 samples over 5 s are needed to tell growth from noise$/);
});

test('a target that crashes mid-run still gets its verdict', async () => {
  const { result, verdict } = await heapsleuthRun('crash-mid-run.mjs', '30s', [], { CRASH_AFTER_MS: '6500' });
  assert.match(result.stderr, /boom: the service crashed/);
  assert.match(result.stderr, /the command exited with code 1; judging what was recorded/);
  assert.equal(result.code, 4);
  assert.equal(verdict.verdict, 'leak');
  assert.equal(verdict.suspects[0]!.function, 'leakBeforeCrash');
});

test('a command that does not exist: one clear line and exit code 2', async () => {
  const result = await runNode([cliPath, 'run', '--', 'no-such-command-heapsleuth']);
  assert.equal(result.code, 2);
  assert.equal(result.stderr.trim(), 'heapsleuth: command not found: no-such-command-heapsleuth');
});

test('bad flags: one clear line and exit code 2', async () => {
  const bad = await runNode([cliPath, 'run', '--interval', 'soon', '--', 'node', '-e', '1']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^heapsleuth: --interval: cannot read duration "soon"/);
  const unknown = await runNode([cliPath, 'run', '--frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown option '--frobnicate'/);
  assert.doesNotMatch(unknown.stderr, /\n\s+at /);
});
