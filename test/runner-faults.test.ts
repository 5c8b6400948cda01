import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecording, type Recording } from '../src/formats/recording.js';
import { cliPath, fixture, runNode, type ChildResult } from './child-process.js';
import { tempDir } from './temp-dir.js';

/**
 * `heapsleuth run` when the target misbehaves: exits at once, crashes, will not stop,
 * leaves children behind, does not exist, or the person presses Ctrl-C. Each time: a
 * clear message, the target (and all it started) stopped, the recording judged.
 */

const fixtures = (name: string) => fixture(`runner/${name}`);
const VERDICT_LINE = /^heapsleuth (LEAK|no leak|inconclusive) · /im;

function outDir(): string {
  return join(tempDir('heapsleuth-runner-'), 'rec');
}

function heapsleuthRun(out: string, target: string[], flags: string[] = [], options: Parameters<typeof runNode>[1] = {}): Promise<ChildResult> {
  return runNode([cliPath, 'run', '--quiet', '--interval', '200ms', '--out', out, ...flags, '--', ...target], {
    timeoutMs: 40_000,
    ...options,
    env: { NO_COLOR: '1', ...options.env },
  });
}

function recordings(out: string): Recording[] {
  return readdirSync(out)
    .filter((name) => name.endsWith('.ndjson'))
    .map((name) => parseRecording(readFileSync(join(out, name), 'utf8'), name));
}

/** Whether a process still runs (a zombie waiting for init to reap it does not). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return process.platform === 'linux' ? false : true;
  }
}

/** Waits (boundedly) for init to reap a killed process; true when it is no longer running. */
async function stopsRunning(pid: number): Promise<boolean> {
  for (let i = 0; i < 40 && isRunning(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return !isRunning(pid);
}

function grandchildOf(result: ChildResult): number {
  const pid = Number(/grandchild (\d+)/.exec(result.stdout)?.[1]);
  assert.ok(pid > 0, `the fixture printed its child's pid:\n${result.stdout}`);
  return pid;
}

test('a target that exits at once: its recording is judged, exit code 0', async () => {
  const out = outDir();
  const result = await heapsleuthRun(out, [process.execPath, '-e', 'process.stdout.write("bye\\n")']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^bye$/m);
  assert.match(result.stdout, VERDICT_LINE);
  const [recording] = recordings(out);
  assert.ok(recording, 'the agent recorded the short life');
  assert.ok(recording.samples.length >= 1);
  assert.equal(recording.end?.reason, 'exit');
});

test('a target that crashes: the message says so, the samples up to the crash are judged, exit code 4', async () => {
  const out = outDir();
  const result = await heapsleuthRun(out, [process.execPath, fixtures('crashes.mjs')], [], { env: { CRASH_MS: '700' } });
  assert.equal(result.code, 4, result.stderr);
  assert.match(result.stderr, /the target crashed on purpose/);
  assert.match(result.stderr, /^heapsleuth: the command exited with code 1; judging what was recorded$/m);
  assert.doesNotMatch(result.stderr, /^\s+at .*heapsleuth/m, 'no stack trace of heapsleuth');
  assert.match(result.stdout, VERDICT_LINE);
  const [recording] = recordings(out);
  assert.ok(recording && recording.samples.length >= 3, 'the ticks before the crash are kept');
  assert.equal(recording.end?.reason, 'exit', 'the agent wrote its final tick as the process died');
});

test('a command that is not found, or not executable: one line, exit code 2', async () => {
  const missing = await heapsleuthRun(outDir(), ['heapsleuth-no-such-command']);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr.trim(), 'heapsleuth: command not found: heapsleuth-no-such-command');
  const notExecutable = await heapsleuthRun(outDir(), [fixtures('crashes.mjs')]);
  assert.equal(notExecutable.code, 2);
  assert.equal(notExecutable.stderr.trim(), `heapsleuth: command not executable: ${fixtures('crashes.mjs')}`);
});

test('a target that ignores SIGINT gets SIGTERM after the grace period; the agent writes its final tick', async () => {
  const out = outDir();
  const result = await heapsleuthRun(out, [process.execPath, fixtures('stubborn.mjs')], ['--duration', '1s']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /ignored SIGINT/);
  assert.match(result.stdout, VERDICT_LINE);
  const [recording] = recordings(out);
  assert.ok(recording);
  assert.equal(recording.end?.reason, 'SIGTERM', 'stopped by SIGTERM, final tick written');
});

test('a target that ignores SIGINT and SIGTERM is killed; every periodic tick before is kept and judged', async () => {
  const out = outDir();
  const result = await heapsleuthRun(out, [process.execPath, fixtures('stubborn.mjs')], ['--duration', '1s'], { env: { IGNORE_TERM: '1' } });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /ignored SIGINT/);
  assert.match(result.stdout, /ignored SIGTERM/);
  assert.match(result.stdout, VERDICT_LINE);
  const [recording] = recordings(out);
  assert.ok(recording);
  assert.equal(recording.end, undefined, 'SIGKILL leaves no end line');
  assert.ok(recording.samples.length >= 5, `the periodic ticks are kept (${recording.samples.length})`);
  assert.deepEqual(
    recording.samples.map((sample) => sample.seq),
    recording.samples.map((_, i) => i),
    'no sample is missing',
  );
});

test('children of the target are stopped with it, even one that ignores SIGINT and SIGTERM', async () => {
  const out = outDir();
  const result = await heapsleuthRun(out, [process.execPath, fixtures('spawns-children.mjs')], ['--duration', '1s'], { env: { STUBBORN: '1', UP_FILE: join(out, '..', 'up') } });
  const grandchild = grandchildOf(result);
  try {
    assert.equal(result.code, 0, result.stderr);
    assert.ok(await stopsRunning(grandchild), 'the grandchild does not outlive the run');
    assert.match(result.stdout, VERDICT_LINE);
  } finally {
    if (isRunning(grandchild)) process.kill(grandchild, 'SIGKILL');
  }
});

test('a target that exits and leaves a child running: the child is stopped and recorded too', async () => {
  const out = outDir();
  const result = await heapsleuthRun(out, [process.execPath, fixtures('spawns-children.mjs')], [], { env: { EXIT_AT_ONCE: '1', UP_FILE: join(out, '..', 'up') } });
  const grandchild = grandchildOf(result);
  try {
    assert.equal(result.code, 0, result.stderr);
    assert.ok(await stopsRunning(grandchild), 'no orphan is left behind');
    const pids = recordings(out).map((recording) => recording.header.pid);
    assert.ok(pids.includes(grandchild), 'the child had the agent too (NODE_OPTIONS is inherited)');
    const child = recordings(out).find((recording) => recording.header.pid === grandchild)!;
    assert.equal(child.end?.reason, 'SIGTERM', 'the child wrote its final tick when stopped');
  } finally {
    if (isRunning(grandchild)) process.kill(grandchild, 'SIGKILL');
  }
});

test('Ctrl-C during run stops the target, which writes its final tick, and the verdict is still printed', async () => {
  const out = outDir();
  let sent = false;
  const result = await heapsleuthRun(out, [process.execPath, fixture('traced-app.mjs')], [], {
    env: { RUN_MS: 'forever' },
    onSpawn: (runner) => {
      runner.stdout?.on('data', (chunk: Buffer) => {
        if (!sent && chunk.toString().includes('ready')) {
          sent = true;
          setTimeout(() => runner.kill('SIGINT'), 700);
        }
      });
    },
  });
  assert.ok(sent, 'the target started');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, VERDICT_LINE);
  assert.doesNotMatch(result.stderr, /the command (exited|was killed)/, 'a stop we asked for is not a failure');
  const [recording] = recordings(out);
  assert.ok(recording);
  assert.equal(recording.end?.reason, 'SIGINT', 'the target got the SIGINT and wrote its final tick');
});
