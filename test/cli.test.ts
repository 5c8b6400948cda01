import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, fixture, registerPath, runNode } from './child-process.js';
import { tempDir } from './temp-dir.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

test('--version and --help', async () => {
  const v = await runNode([cliPath, '--version']);
  assert.equal(v.code, 0);
  assert.equal(v.stdout.trim(), version);
  const help = await runNode([cliPath, '--help']);
  assert.equal(help.code, 0);
  for (const command of ['run', 'analyze']) assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'));
  const runHelp = await runNode([cliPath, 'run', '--help']);
  assert.equal(runHelp.code, 0);
  assert.match(runHelp.stdout, /--fail-on-leak/);
  const none = await runNode([cliPath]);
  assert.equal(none.code, 2);
});

test('an unknown command: one line, exit code 2', async () => {
  const result = await runNode([cliPath, 'frobnicate']);
  assert.equal(result.code, 2);
  assert.equal(result.stderr.trim(), `heapsleuth: unknown command "frobnicate". Run 'heapsleuth --help' for the list.`);
});

test('analyze: missing files, folders without recordings and files that are not recordings are clear errors', async () => {
  const dir = tempDir('heapsleuth-cli-');
  const missing = await runNode([cliPath, 'analyze', join(dir, 'nope.ndjson')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^heapsleuth: .*nope\.ndjson: no such file or folder\n$/);
  const empty = await runNode([cliPath, 'analyze', dir]);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /folder holds no \.ndjson recordings and no run folders; name a recording file/);
  writeFileSync(join(dir, 'notes.ndjson'), 'hello world\n');
  const junk = await runNode([cliPath, 'analyze', join(dir, 'notes.ndjson')]);
  assert.equal(junk.code, 2);
  assert.match(junk.stderr, /notes\.ndjson: not a heapsleuth recording/);
  writeFileSync(join(dir, 'future.ndjson'), '{"type":"header","format":"heapsleuth-recording","version":3}\n');
  const future = await runNode([cliPath, 'analyze', join(dir, 'future.ndjson')]);
  assert.equal(future.code, 2);
  assert.match(future.stderr, /version 3 is not supported/);
});

test('analyze reads a truncated recording of a real process, warns, and prints the JSON verdict', async () => {
  const dir = tempDir('heapsleuth-cli-');
  const run = await runNode(['--import', registerPath, fixture('traced-app.mjs')], {
    env: { HEAPSLEUTH_OUT: dir, HEAPSLEUTH_INTERVAL: '100ms', HEAPSLEUTH_LOG: 'off', HEAPSLEUTH_SERVICE: 'shop', HEAPSLEUTH_SAMPLER: 'inspector', RUN_MS: '1500' },
  });
  assert.equal(run.code, 0, run.stderr);
  const { readdirSync } = await import('node:fs');
  const file = join(dir, readdirSync(dir)[0]!);
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.slice(0, text.length - 40)); // cut inside the last line
  const result = await runNode([cliPath, 'analyze', file, '--json']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /warning: .*torn last line/);
  const verdict = JSON.parse(result.stdout);
  // 1.5 s of samples is shorter than the 5 s the detective needs, however many samples.
  assert.equal(verdict.verdict, 'inconclusive');
  assert.match(verdict.reason, /^the samples cover only \d(\.\d)? s; at least 10 samples over 5 s are needed to tell growth from noise$/);
  assert.equal(verdict.service, 'shop');
  assert.ok(verdict.window.samples >= 8);
});
