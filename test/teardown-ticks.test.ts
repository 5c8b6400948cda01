import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Verdict } from '../src/analysis/verdict.js';
import { cliPath, fixture, runNode } from './child-process.js';

/** Runs the teardown-late fixture under `heapsleuth run`, then analyzes its recording. */
async function recordTeardown(mode: 'exit' | 'kill'): Promise<{ verdict: Verdict; samples: { time: number; final?: string }[]; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'heapsleuth-teardown-'));
  const rec = join(dir, 'rec');
  const run = await runNode(
    [cliPath, 'run', '--quiet', '--duration', '60s', '--interval', '250ms', '--sampling-interval', '16KiB', '--out', rec, '--', process.execPath, fixture('teardown-late/app.mjs')],
    { env: { NO_COLOR: '1', REC_DIR: rec, MODE: mode } },
  );
  const json = join(dir, 'verdict.json');
  const analyzed = await runNode([cliPath, 'analyze', rec, '--json', json], { env: { NO_COLOR: '1' } });
  const samples = readdirSync(rec)
    .filter((name) => name.endsWith('.ndjson'))
    .flatMap((name) => readFileSync(join(rec, name), 'utf8').split('\n'))
    .filter((line) => line.includes('"type":"sample"'))
    .map((line) => JSON.parse(line) as { time: number; final?: string });
  return { verdict: JSON.parse(readFileSync(json, 'utf8')) as Verdict, samples, output: `${run.stdout}\n${run.stderr}\n${analyzed.stdout}\n${analyzed.stderr}` };
}

test('a program that closes its connections and frees its cache just before exit, with a tick in between, still leaks at the right site', async () => {
  const { verdict, samples, output } = await recordTeardown('exit');
  const regular = samples.filter((sample) => sample.final === undefined);
  assert.ok(samples.at(-1)!.final, `the program exited with a final tick: ${output}`);
  assert.equal(verdict.verdict, 'leak', output);
  // the cache entries made in remember() (its line, or the entry literal's arrow below it)
  const top = verdict.suspects[0]!;
  const remember = readFileSync(fixture('teardown-late/app.mjs'), 'utf8').split('\n').findIndex((line) => line.startsWith('function remember')) + 1;
  assert.ok(top.file.endsWith('teardown-late/app.mjs') && top.line >= remember && top.line <= remember + 2, output);
  // the regular tick taken after the teardown is judged as teardown: the running phase ends before it
  assert.ok(verdict.teardown, output);
  assert.equal(verdict.teardown.lastRunningTime, regular.at(-2)!.time, output);
  assert.ok(verdict.teardown.releasedBytes > 0, output);
});

test('a service whose memory drops while it runs and that stops without a final tick is judged on all its ticks', async () => {
  const { verdict, samples, output } = await recordTeardown('kill');
  assert.ok(samples.every((sample) => sample.final === undefined), `killed: no final tick: ${output}`);
  assert.equal(verdict.teardown, undefined, output);
  assert.equal(Date.parse(verdict.window.end), samples.at(-1)!.time, output);
});
