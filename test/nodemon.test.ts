import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { registerPath } from './child-process.js';
import { tempDir } from './temp-dir.js';

const nodemonBin = join(createRequire(import.meta.url).resolve('nodemon/package.json'), '..', 'bin', 'nodemon.js');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves when `predicate` holds, checking every 100 ms; rejects after `ms` (a safety net, not a timing assertion). */
async function until(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('nodemon restarts an app that runs with the agent: its SIGUSR2 still ends the old process', async () => {
  const dir = tempDir('heapsleuth-nodemon-');
  writeFileSync(join(dir, 'app.mjs'), 'console.log(`started ${process.pid}`);\nsetInterval(() => {}, 1000);\n');
  const nodemon = spawn(process.execPath, [nodemonBin, '--watch', 'app.mjs', '--import', registerPath, 'app.mjs'], {
    cwd: dir,
    env: { ...process.env, HEAPSLEUTH_OUT: join(dir, 'rec'), HEAPSLEUTH_LOG: 'off', HEAPSLEUTH_INTERVAL: '1h', HEAPSLEUTH_SIGNAL: '', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  nodemon.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  nodemon.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const pids = () => [...output.matchAll(/started (\d+)/g)].map((match) => Number(match[1]));
  try {
    await until(() => pids().length === 1, 30_000, 'the app to start');
    const [first] = pids();
    writeFileSync(join(dir, 'app.mjs'), 'console.log(`started ${process.pid}`);\nsetInterval(() => {}, 1000);\n// changed\n');
    await until(() => pids().length === 2, 30_000, `nodemon to restart the app:\n${output}`);
    await until(() => !alive(first!), 10_000, `the first process ${first} to end`);
    assert.equal(alive(first!), false, 'the old process ended on nodemon\'s SIGUSR2');
    assert.equal(alive(pids()[1]!), true);
  } finally {
    for (const pid of pids()) if (alive(pid)) process.kill(pid, 'SIGKILL');
    nodemon.kill('SIGKILL');
  }
});
