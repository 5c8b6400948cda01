/**
 * `heapsleuth run`'s default retainer paths (docs/retainers.md): heap snapshots start only
 * once the live analysis of the recording sees a leak, and the verdict then names the code
 * that keeps the leaked objects when it is not the code that allocated them. Real child
 * processes through the `heapsleuth` binary, as a user runs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Verdict } from '../src/analysis/verdict.js';
import { cliPath, fixture, runNode, type ChildResult } from './child-process.js';

const work = mkdtempSync(join(tmpdir(), 'heapsleuth-retainers-auto-'));

// 300 ms ticks: the verdict can be `leak` from about 5 s on (10 samples over 5 s at least), and
// run asks for snapshots no earlier than two thirds of the duration.
async function run(script: string, extra: string[] = [], duration = '14s'): Promise<{ result: ChildResult; verdict: Verdict; files: string[] }> {
  const out = mkdtempSync(join(work, 'run-'));
  const jsonFile = join(out, 'verdict.json');
  const result = await runNode(
    [cliPath, 'run', '-q', '--interval', '300ms', '--duration', duration, ...extra, '--out', join(out, 'recording'), '--json', jsonFile, '--', process.execPath, fixture(`keeper/${script}`)],
    { timeoutMs: 180_000 },
  );
  assert.equal(result.code, 0, result.stderr);
  return { result, verdict: JSON.parse(readFileSync(jsonFile, 'utf8')) as Verdict, files: readdirSync(join(out, 'recording')) };
}

const snapshotFiles = (files: string[]) => files.filter((name) => /\.heapsnapshot|\.heapsnapshots\.json$|\.retainers-request$/.test(name));

test('run (no flag): a leak allocated in one module and kept by a closure of another is blamed on the keeper', async () => {
  const { result, verdict, files } = await run('service.mjs');
  assert.equal(verdict.verdict, 'leak');
  // the snapshots started when the live analysis saw the leak, not at the start
  assert.match(result.stderr, /a leak was seen at sample \d+, \d+ s in \(test\/fixtures\/keeper\/\S+, confidence [\d.]+%\): heap snapshots from then on/);
  assert.ok(files.some((name) => name.endsWith('.early.heapsnapshot')), files.join(' '));
  assert.equal(verdict.retainerSnapshots?.mode, 'auto');
  assert.ok(verdict.retainerSnapshots.trigger && verdict.retainerSnapshots.trigger.confidence >= 0.99, JSON.stringify(verdict.retainerSnapshots));
  assert.ok(Date.parse(verdict.retainerSnapshots.since) > Date.parse(verdict.window.start), 'the paths start after the first tick');

  // the allocation site is a suspect, and the closure in cleanup.mjs is named as what keeps it
  const site = verdict.suspects.find((suspect) => suspect.file === 'test/fixtures/keeper/uploads.mjs');
  assert.ok(site, JSON.stringify(verdict.suspects.map((suspect) => `${suspect.file}:${suspect.line}`)));
  assert.equal(site.keeper?.file, 'test/fixtures/keeper/cleanup.mjs', JSON.stringify(site.retainers?.map((retainer) => retainer.path)));
  assert.match(site.keeper.what, /closure/);
  assert.ok(site.retainers?.[0]?.path.includes('exitHooks (EventEmitter)'), site.retainers?.[0]?.path);
  // the terminal sends the user to the keeper first
  const top = verdict.suspects[0]!;
  assert.ok(top.keeper, `the top suspect ${top.file}:${top.line} has a keeper`);
  assert.match(result.stdout, new RegExp(`NEXT +open ${top.keeper.file.replace(/[.]/g, '\\.')}:${top.keeper.line}: its closure keeps alive what ${top.file.replace(/[.]/g, '\\.')}:${top.line} allocates`));
  assert.match(result.stdout, /held by closure at test\/fixtures\/keeper\/cleanup\.mjs:\d+, not by the code that allocated them/);
});

test('run (no flag) on a healthy program takes no heap snapshot', async () => {
  const { result, verdict, files } = await run('healthy.mjs', [], '8s');
  assert.notEqual(verdict.verdict, 'leak', JSON.stringify(verdict.suspects.map((suspect) => `${suspect.file}:${suspect.line}`)));
  assert.deepEqual(snapshotFiles(files), []);
  assert.equal(verdict.retainerSnapshots, undefined);
  assert.doesNotMatch(result.stderr, /heap snapshot|retainer paths/);
});

test('run --no-retainers on a leak takes no heap snapshot', async () => {
  const { result, verdict, files } = await run('service.mjs', ['--no-retainers'], '8s');
  assert.equal(verdict.verdict, 'leak');
  assert.deepEqual(snapshotFiles(files), []);
  assert.ok(verdict.suspects.every((suspect) => suspect.retainers === undefined && suspect.keeper === undefined));
  assert.doesNotMatch(result.stderr, /heap snapshot|a leak was seen/);
});

test('run over --retainers-max-heap: one line says the paths were skipped and how to force them', async () => {
  const { result, verdict, files } = await run('service.mjs', ['--retainers-max-heap', '1MiB']);
  assert.equal(verdict.verdict, 'leak');
  assert.match(result.stderr, /^heapsleuth: retainer paths skipped: the used JS heap was [\d.]+ MiB when the leak was seen, above the 1024 KiB cap for automatic heap snapshots .*\(use --retainers to force\)$/m);
  assert.deepEqual(
    files.filter((name) => name.endsWith('.heapsnapshot')),
    [],
  );
  assert.equal(verdict.retainerSnapshots, undefined);
  assert.doesNotMatch(result.stderr, /heap snapshots from then on/);
});

test('run --retainers --no-retainers is a usage error', async () => {
  const result = await runNode([cliPath, 'run', '--retainers', '--no-retainers', '--', process.execPath, '-e', '0']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--retainers and --no-retainers/);
  assert.equal(result.stderr.trim().split('\n').length, 1);
});

test('run --retainers: objects in a WeakMap entry name no keeper above the entry (the path there holds the key, not the WeakMap)', async () => {
  const { verdict } = await run('memo-service.mjs', ['--retainers'], '8s');
  assert.equal(verdict.verdict, 'leak');
  const withPath = verdict.suspects.filter((suspect) => suspect.retainers?.some((retainer) => retainer.path.includes('WeakMap.get(memoized)')));
  assert.ok(withPath.length > 0, JSON.stringify(verdict.suspects.map((suspect) => [suspect.file, suspect.retainers?.map((retainer) => retainer.path)])));
  for (const suspect of withPath) {
    const retainer = suspect.retainers!.find((candidate) => candidate.path.includes('WeakMap.get(memoized)'))!;
    // the closure `memoized` is the entry's key; memo-service.mjs's module variable holds that key
    assert.equal(retainer.keptBy, undefined, `${retainer.path}: ${JSON.stringify(retainer.keptBy)}`);
  }
});
