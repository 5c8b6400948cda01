import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Verdict } from '../src/analysis/verdict.js';
import { cliPath, fixture, repoRoot, runNode, type ChildResult } from './child-process.js';
import { tempDir as testTempDir } from './temp-dir.js';

/** A process started with no heapsleuth at all; `--inspect-port=0` keeps parallel tests off port 9229. */
interface Target {
  child: ChildProcess;
  pid: number;
  stdout: string;
  stderr: string;
  exited: Promise<void>;
}

async function startTarget(args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}): Promise<Target> {
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const target: Target = { child, pid: child.pid!, stdout: '', stderr: '', exited: new Promise((resolve) => child.on('exit', () => resolve())) };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (target.stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (target.stderr += chunk));
  const deadline = Date.now() + 15_000;
  while (!ready.test(target.stdout)) {
    if (Date.now() > deadline || child.exitCode !== null) assert.fail(`the target did not start: ${target.stdout} ${target.stderr}`);
    await sleep(20);
  }
  return target;
}

/** The service still answers; when not, the failure says what the target printed. */
async function assertServes(target: Target, port: number): Promise<void> {
  let body: string;
  try {
    body = await httpGet(port);
  } catch (error) {
    assert.fail(`the service does not answer (${String(error)}); exit ${target.child.exitCode} ${target.child.signalCode}; stderr: ${target.stderr}`);
  }
  assert.equal(body, 'ok');
}

async function stopTarget(target: Target): Promise<void> {
  if (target.child.exitCode === null && target.child.signalCode === null) target.child.kill('SIGKILL');
  await target.exited;
}

function attach(args: string[], options: { onSpawn?: (child: ChildProcess) => void; env?: NodeJS.ProcessEnv } = {}): Promise<ChildResult> {
  return runNode([cliPath, 'attach', ...args], { env: { NO_COLOR: '1', ...options.env }, timeoutMs: 90_000, ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}) });
}

function tempDir(): string {
  return testTempDir('heapsleuth-attach-');
}

/** The inspector port the target announced on its stderr when SIGUSR1 opened it. */
function announcedInspectorPort(target: Target): number {
  const match = /Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(target.stderr);
  assert.ok(match, `the target never opened its inspector: ${target.stderr}`);
  return Number(match[1]);
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/' }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

const RECORD = ['--interval', '500ms', '--sampling-interval', '16KiB', '--quiet'];

test('attach finds a leak in a process started without heapsleuth, blamed on the right file and line, and closes the inspector again', async () => {
  const target = await startTarget(['--inspect-port=0', fixture('services/leak-in-churn.mjs')], /serving/);
  try {
    const dir = tempDir();
    const json = join(dir, 'verdict.json');
    const result = await attach([String(target.pid), '--duration', '8s', ...RECORD, '--out', join(dir, 'rec'), '--json', json, '--fail-on-leak']);
    assert.equal(result.code, 1, `exit 1 with --fail-on-leak\n${result.stderr}\n${result.stdout}`);
    const verdict = JSON.parse(readFileSync(json, 'utf8')) as Verdict;
    assert.equal(verdict.verdict, 'leak');
    const top = verdict.suspects[0]!;
    assert.equal(top.file, 'test/fixtures/services/leak-in-churn.mjs');
    // rememberRequest() starts on line 5; V8 may inline it into the interval callback on line 15 (docs/accuracy.md).
    assert.ok((top.function === 'rememberRequest' && top.line === 5) || (top.function === '' && top.line === 15), JSON.stringify(top));
    assert.ok(!verdict.suspects.some((suspect) => suspect.function === 'handleRequest'), 'the garbage site is not a suspect');
    assert.match(result.stderr, new RegExp(`attached to pid ${target.pid} \\(node v\\d+`));
    assert.match(result.stderr, new RegExp(`detached; the inspector of pid ${target.pid} is closed again`));
    assert.match(result.stdout, /leak-in-churn\.mjs:(5|15)/);
    assert.equal(await accepts(announcedInspectorPort(target)), false, 'the inspector port is closed');
    assert.equal(target.child.exitCode, null, 'the target still runs');

    // Every command reads the recording: analyze agrees with the verdict.
    const analyzed = await runNode([cliPath, 'analyze', join(dir, 'rec'), '--json']);
    assert.equal((JSON.parse(analyzed.stdout) as Verdict).verdict, 'leak');
  } finally {
    await stopTarget(target);
  }
});

test('attach says no-leak for a bounded cache', async () => {
  const target = await startTarget(['--inspect-port=0', fixture('services/bounded-lru.mjs')], /serving/);
  try {
    const dir = tempDir();
    const json = join(dir, 'verdict.json');
    // The cache is full within a second; start once it is.
    await sleep(1500);
    const result = await attach([String(target.pid), '--duration', '8s', ...RECORD, '--out', join(dir, 'rec'), '--json', json, '--fail-on-leak']);
    const verdict = JSON.parse(readFileSync(json, 'utf8')) as Verdict;
    assert.equal(verdict.verdict, 'no-leak', JSON.stringify(verdict.suspects.slice(0, 2)));
    assert.equal(result.code, 0, result.stderr);
  } finally {
    await stopTarget(target);
  }
});

test('after detach an HTTP service keeps serving, its inspector is closed, and it can be attached again', async () => {
  const target = await startTarget(['--inspect-port=0', fixture('attach/http-service.mjs')], /listening \d+/);
  try {
    const port = Number(/listening (\d+)/.exec(target.stdout)![1]);
    const load = setInterval(() => void httpGet(port).catch(() => {}), 20);
    let first: ChildResult;
    try {
      first = await attach([String(target.pid), '--duration', '2s', ...RECORD, '--out', join(tempDir(), 'rec')]);
    } finally {
      clearInterval(load);
    }
    assert.equal(first.code, 0, first.stderr);
    await assertServes(target, port);
    assert.equal(await accepts(announcedInspectorPort(target)), false, 'the inspector port is closed');
    assert.match(target.stderr, /Debugger ending/);

    const second = await attach([String(target.pid), '--duration', '1s', ...RECORD, '--out', join(tempDir(), 'rec')]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /is closed again/);
    assert.doesNotMatch(second.stderr, /already running/, 'the first session stopped V8 sampling');
    await assertServes(target, port);
  } finally {
    await stopTarget(target);
  }
});

test('an ESM program without process.getBuiltinModule (Node < 20.16) is read through the console require', async () => {
  const target = await startTarget(['--inspect-port=0', fixture('attach/http-service.mjs')], /listening \d+/, { HIDE_GET_BUILTIN_MODULE: '1' });
  try {
    const dir = tempDir();
    const result = await attach([String(target.pid), '--duration', '1s', ...RECORD, '--out', join(dir, 'rec'), '--json', join(dir, 'verdict.json')]);
    assert.equal(result.code, 0, result.stderr);
    const verdict = JSON.parse(readFileSync(join(dir, 'verdict.json'), 'utf8')) as Verdict;
    assert.ok(verdict.window.samples >= 2, JSON.stringify(verdict.window));
    assert.match(result.stderr, /is closed again/);
  } finally {
    await stopTarget(target);
  }
});

test('Ctrl-C during attach detaches cleanly and judges what was recorded', async () => {
  const target = await startTarget(['--inspect-port=0', fixture('attach/http-service.mjs')], /listening \d+/);
  try {
    const port = Number(/listening (\d+)/.exec(target.stdout)![1]);
    const dir = tempDir();
    const result = await attach([String(target.pid), ...RECORD, '--out', join(dir, 'rec'), '--json', join(dir, 'verdict.json')], {
      onSpawn: (child) => {
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer) => {
          stderr += String(chunk);
          if (/attached to pid/.test(stderr) && !child.killed) setTimeout(() => child.kill('SIGINT'), 1500);
        });
      },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /detached; the inspector of pid \d+ is closed again/);
    const verdict = JSON.parse(readFileSync(join(dir, 'verdict.json'), 'utf8')) as Verdict;
    assert.ok(verdict.window.samples >= 1, 'what was recorded is judged');
    assert.equal(await accepts(announcedInspectorPort(target)), false, 'the inspector port is closed');
    await assertServes(target, port);
  } finally {
    await stopTarget(target);
  }
});

test('an inspector that was open before (--inspect) is used and left open; --port reaches it without a pid', async () => {
  const target = await startTarget(['--inspect=127.0.0.1:0', fixture('attach/http-service.mjs')], /listening \d+/);
  try {
    await sleep(200);
    const inspectorPort = announcedInspectorPort(target);
    const byPid = await attach([String(target.pid), '--duration', '1s', ...RECORD, '--out', join(tempDir(), 'rec')]);
    assert.equal(byPid.code, 0, byPid.stderr);
    assert.match(byPid.stderr, /open before; it stays open/);
    assert.match(byPid.stderr, /was open before and stays open/);
    assert.equal(await accepts(inspectorPort), true, 'the inspector is still open');

    const byPort = await attach(['--port', String(inspectorPort), '--duration', '1s', ...RECORD, '--out', join(tempDir(), 'rec')]);
    assert.equal(byPort.code, 0, byPort.stderr);
    assert.match(byPort.stderr, new RegExp(`attached to pid ${target.pid} `));
    assert.equal(await accepts(inspectorPort), true);
  } finally {
    await stopTarget(target);
  }
});

test('a target that exits mid-attach: a message, the verdict on what was recorded, exit code 4', async () => {
  const target = await startTarget(['--inspect-port=0', fixture('services/crash-mid-run.mjs')], /serving/, { CRASH_AFTER_MS: '8000' });
  try {
    const dir = tempDir();
    const json = join(dir, 'verdict.json');
    const result = await attach([String(target.pid), '--duration', '30s', ...RECORD, '--out', join(dir, 'rec'), '--json', json]);
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /the process exited \(or closed its inspector\) while attached; judging what was recorded/);
    const verdict = JSON.parse(readFileSync(json, 'utf8')) as Verdict;
    assert.ok(verdict.window.samples >= 2, JSON.stringify(verdict.window));
  } finally {
    await stopTarget(target);
  }
});

test('a target that exits between reads is not held back by the connected debugger', async () => {
  // Node waits at exit for a connected debugger to disconnect; heapsleuth lets it go at once,
  // not at its next read ten minutes later (the test's 90 s safety net would end it first).
  const target = await startTarget(['--inspect-port=0', fixture('attach/http-service.mjs')], /listening \d+/);
  try {
    const port = Number(/listening (\d+)/.exec(target.stdout)![1]);
    const result = await attach([String(target.pid), '--interval', '10m', '--quiet', '--out', join(tempDir(), 'rec')], {
      onSpawn: (child) => {
        let stderr = '';
        let asked = false;
        child.stderr!.on('data', (chunk: Buffer) => {
          stderr += String(chunk);
          if (asked || !/attached to pid/.test(stderr)) return;
          asked = true;
          get({ host: '127.0.0.1', port, path: '/exit' }).on('error', () => {}); // after the first read, long before the next
        });
      },
    });
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /while attached; judging what was recorded/);
    await target.exited;
    assert.equal(target.child.exitCode, 0, 'the target exited cleanly, as it asked');
  } finally {
    await stopTarget(target);
  }
});

test('heapsleuth killed with SIGKILL: the watchdog it left in the target closes the inspector', async () => {
  const target = await startTarget(['--inspect-port=0', fixture('attach/http-service.mjs')], /listening \d+/);
  try {
    const port = Number(/listening (\d+)/.exec(target.stdout)![1]);
    const result = await attach([String(target.pid), ...RECORD, '--out', join(tempDir(), 'rec')], {
      env: { HEAPSLEUTH_ATTACH_WATCHDOG_MS: '6000' },
      onSpawn: (child) => {
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer) => {
          stderr += String(chunk);
          if (/attached to pid/.test(stderr) && !child.killed) setTimeout(() => child.kill('SIGKILL'), 1000);
        });
      },
    });
    assert.equal(result.signal, 'SIGKILL');
    const inspectorPort = announcedInspectorPort(target);
    const deadline = Date.now() + 30_000;
    while ((await accepts(inspectorPort)) && Date.now() < deadline) await sleep(250);
    assert.equal(await accepts(inspectorPort), false, 'the watchdog closed the inspector');
    await assertServes(target, port);
    // V8 ended the killed session's sampling when its connection dropped.
    const again = await attach([String(target.pid), '--duration', '1s', ...RECORD, '--out', join(tempDir(), 'rec')]);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /already running/);
    assert.match(again.stderr, /is closed again/);
  } finally {
    await stopTarget(target);
  }
});

test('one-line errors: a vanished pid, a process that is not Node.js, a Node.js that does not take SIGUSR1, a taken port, a remote inspector', async () => {
  const gone = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => gone.on('exit', resolve));
  const vanished = await attach([String(gone.pid)]);
  assert.equal(vanished.code, 2);
  assert.equal(vanished.stderr, `heapsleuth: no process with pid ${gone.pid}\n`);

  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => sleeper.on('exit', resolve));
  try {
    const notNode = await attach([String(sleeper.pid)]);
    assert.equal(notNode.code, 2);
    assert.match(notNode.stderr, new RegExp(`^heapsleuth: pid ${sleeper.pid} \\(sleep\\) is not a Node\\.js process\\n$`));
    assert.equal(sleeper.exitCode, null, 'no signal was sent to it');
  } finally {
    sleeper.kill();
    await exited;
  }

  // A program named node that does not handle SIGUSR1 (as a Node.js with the inspector disabled).
  const fakeNode = join(tempDir(), 'node');
  copyFileSync('/bin/sleep', fakeNode);
  const disabled = spawn(fakeNode, ['60'], { stdio: 'ignore' });
  const disabledExited = new Promise((resolve) => disabled.on('exit', resolve));
  try {
    await sleep(100);
    const result = await attach([String(disabled.pid)]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^heapsleuth: pid \d+ \(node\) does not open its inspector on SIGUSR1 .*\n$/);
    assert.equal(disabled.exitCode, null, 'SIGUSR1 was not sent: it would have killed the process');
  } finally {
    disabled.kill();
    await disabledExited;
  }

  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const takenPort = (holder.address() as { port: number }).port;
  const target = await startTarget([`--inspect-port=${takenPort}`, fixture('attach/http-service.mjs')], /listening \d+/);
  try {
    const taken = await attach([String(target.pid)]);
    assert.equal(taken.code, 2);
    assert.match(taken.stderr, new RegExp(`^heapsleuth: pid ${target.pid} could not open its inspector: port ${takenPort} is already taken by another process .*\\n$`));
  } finally {
    holder.close();
    await stopTarget(target);
  }

  const remote = await attach(['--port', '9229', '--host', '192.0.2.1']);
  assert.equal(remote.code, 2);
  assert.match(remote.stderr, /^heapsleuth: the inspector listens on 192\.0\.2\.1:9229, reachable from other hosts: refused .*--allow-remote-inspector.*\n$/);

  const help = await attach(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: heapsleuth attach <pid> \[options\]/);
  const listed = await runNode([cliPath, '--help']);
  assert.match(listed.stdout, /^  attach /m);

  const both = await attach(['123', '--port', '9229']);
  assert.equal(both.code, 2);
  assert.equal(both.stderr, 'heapsleuth: attach: give a pid or --port, not both\n');

  const notAPid = await attach(['abc']);
  assert.equal(notAPid.code, 2);
  assert.equal(notAPid.stderr, 'heapsleuth: attach: not a pid: "abc"\n');
});

test('permission denied: another user cannot attach, and the target is left alone', { skip: process.getuid?.() !== 0 ? 'needs root to run heapsleuth as another user' : false }, async () => {
  const target = await startTarget(['--inspect-port=0', fixture('attach/http-service.mjs')], /listening \d+/);
  try {
    const port = Number(/listening (\d+)/.exec(target.stdout)![1]);
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      // nobody (65534) runs heapsleuth against a process of root
      const child = spawn(process.execPath, [cliPath, 'attach', String(target.pid), '--out', join(tmpdir(), `heapsleuth-nobody-${process.pid}`)], {
        cwd: tmpdir(),
        uid: 65534,
        gid: 65534,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `heapsleuth: permission denied: pid ${target.pid} belongs to another user (run heapsleuth as that user, or as root)\n`);
    assert.doesNotMatch(target.stderr, /Debugger listening/, 'no signal reached the target');
    await assertServes(target, port);
  } finally {
    await stopTarget(target);
  }
});
