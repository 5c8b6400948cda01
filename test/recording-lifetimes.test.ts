import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { parseRecordings, type Recording } from '../src/formats/recording.js';
import { cliPath, fixture, registerPath, runNode } from './child-process.js';
import { tempDir } from './temp-dir.js';

/**
 * A recording file as operations leave it: one fixed HEAPSLEUTH_RECORD path reused by
 * every restart, and logrotate's copytruncate under a running agent. Real processes,
 * read through the `heapsleuth` command.
 */

function workDir(): string {
  return tempDir('heapsleuth-lifetimes-');
}

function agentEnv(record: string): NodeJS.ProcessEnv {
  return { HEAPSLEUTH_RECORD: record, HEAPSLEUTH_INTERVAL: '50ms', HEAPSLEUTH_LOG: 'off', HEAPSLEUTH_SAMPLER: 'inspector', HEAPSLEUTH_DISABLE: '', RUN_MS: '700' };
}

function sampleLines(...paths: string[]): number {
  return paths.reduce((sum, path) => sum + readFileSync(path, 'utf8').split('\n').filter((line) => line.includes('"type":"sample"') && line.endsWith('}')).length, 0);
}

/** Samples the verdict's window counts: those of the running phase (ticks marked `final`, taken as a process stops, are left out). */
function runningSamples(recordings: Recording[]): number {
  return recordings.reduce((sum, recording) => sum + recording.samples.filter((sample) => sample.final === undefined).length, 0);
}

async function analyzeJson(dir: string, paths: string[]): Promise<{ window: { samples: number }; restarts: Array<{ pid: number; previousPid: number }>; warnings: string[] }> {
  const out = join(dir, 'verdict.json');
  const result = await runNode([cliPath, 'analyze', ...paths, '--json', out]);
  assert.equal(result.code === 0 || result.code === 1, true, result.stderr);
  assert.doesNotMatch(result.stderr, /not a heapsleuth recording|no header line/);
  return JSON.parse(readFileSync(out, 'utf8'));
}

test('a fixed HEAPSLEUTH_RECORD path reused by two runs: both lifetimes are read, the second is a restart', async () => {
  const dir = workDir();
  const record = join(dir, 'service.ndjson');
  const pids: number[] = [];
  for (let run = 0; run < 2; run++) {
    const result = await runNode(['--import', registerPath, fixture('faults/steady-app.mjs')], { env: agentEnv(record), timeoutMs: 30_000 });
    assert.equal(result.code, 0, result.stderr);
  }
  const lifetimes = parseRecordings(readFileSync(record, 'utf8'), record);
  assert.equal(lifetimes.length, 2, 'one lifetime per header');
  for (const lifetime of lifetimes) pids.push(lifetime.header.pid);
  assert.notEqual(pids[0], pids[1]);
  const both = lifetimes[0]!.samples.length + lifetimes[1]!.samples.length;
  assert.equal(both, sampleLines(record));
  assert.ok(lifetimes[1]!.samples.length > 0, 'the second run recorded samples');

  const verdict = await analyzeJson(dir, [record]);
  assert.equal(verdict.window.samples, runningSamples(lifetimes), 'analyze reads every lifetime, not the first only');
  assert.deepEqual(
    verdict.restarts.map((restart) => [restart.previousPid, restart.pid]),
    [[pids[0], pids[1]]],
  );
});

test('copytruncate under a running agent: the copy and the live file read as two parts of one process, nothing lost but the rotation window', async () => {
  const dir = workDir();
  const record = join(dir, 'service.ndjson');
  const rotated = `${record}.1`;
  const child = spawn(process.execPath, ['--import', registerPath, fixture('faults/steady-app.mjs')], {
    env: { ...process.env, ...agentEnv(record), RUN_MS: '4000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  // what logrotate's copytruncate does, once a few ticks are written: copy the file, then cut it to zero in place
  while (!(existsSync(record) && sampleLines(record) >= 3)) await new Promise((resolve) => setTimeout(resolve, 50));
  copyFileSync(record, rotated);
  truncateSync(record, 0);
  assert.equal(await exited, 0, stderr);

  const [copy] = parseRecordings(readFileSync(rotated, 'utf8'), rotated);
  const live = parseRecordings(readFileSync(record, 'utf8'), record);
  assert.ok(copy!.samples.length > 0, 'the copy holds the first part');
  assert.equal(live.length, 1, 'the live file starts again with one header');
  assert.equal(live[0]!.header.part, 1, 'marked as a further part of the same process');
  assert.equal(live[0]!.header.pid, copy!.header.pid);
  assert.ok(live[0]!.samples.length > 0, 'the live file holds the second part');
  assert.ok(!live[0]!.warnings.some((warning) => /undefined stacks/.test(warning)), live[0]!.warnings.join('\n'));

  const verdict = await analyzeJson(dir, [rotated, record]);
  assert.equal(verdict.window.samples, runningSamples([copy!, ...live]));
  assert.deepEqual(verdict.restarts, [], 'two parts of one process are no restart');
});

test('a live file that starts with NUL padding and lines whose definitions went to the copy (an agent that does not start again): the lines before its next header are skipped with a warning', () => {
  const dir = workDir();
  const path = join(dir, 'padded.ndjson');
  const header = (pid: number) =>
    JSON.stringify({
      type: 'header', format: 'heapsleuth-recording', version: 1, runtime: 'node', runtimeVersion: 'v20', pid, hostname: 'h', service: 's', argv: [], cwd: '/',
      startTime: new Date(0).toISOString(), sampling: { sampler: 'native', intervalBytes: 262144, stackDepth: 64 }, limits: {}, agent: { name: 'heapsleuth', version: '0' },
    });
  const sample = (seq: number, stack: number) => JSON.stringify({ type: 'sample', seq, time: 1000 * (seq + 1), memory: { rss: 1, heapTotal: 1, heapUsed: 1, external: 0, arrayBuffers: 0 }, rows: [[stack, 100, 1]] });
  const text =
    '\0'.repeat(4096) +
    [sample(7, 3), sample(8, 3), header(9), JSON.stringify({ type: 'frame', id: 0, file: 'a.js', line: 1, function: 'f', column: 0 }), JSON.stringify({ type: 'stack', id: 0, frames: [0] }), sample(9, 0)].join('\n') +
    '\n';
  writeFileSync(path, text);
  const lifetimes = parseRecordings(readFileSync(path, 'utf8'), path);
  assert.equal(lifetimes.length, 1);
  assert.deepEqual(lifetimes[0]!.samples.map((s) => [s.seq, s.rows]), [[9, [[0, 100, 1]]]]);
  assert.match(lifetimes[0]!.warnings.join('\n'), /skipped 2 lines before the header on line 3: the file was truncated while it was written \(copytruncate\)/);
  assert.throws(() => parseRecordings('\0\0\0' + sample(1, 0) + '\n', path), /no header line: it continues a recording whose start is in another file/);
});
