/**
 * Retainer paths through wrappers (docs/retainers.md): `emitter.once` wraps a listener in a
 * bound `onceWrapper`, `fn.bind(obj)` makes a bound function, a timer holds its callback in
 * a `Timeout`. The path must go on to the function the program wrote, and the suspect's
 * keeper must be that function's file and line. Real leaking child processes through the
 * `heapsleuth` binary with `run --retainers`, as a user runs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Verdict } from '../src/analysis/verdict.js';
import { cliPath, fixture, repoRoot, runNode, type ChildResult } from './child-process.js';
import type { RetainerReport } from '../src/snapshots/find-retainers.js';

const work = mkdtempSync(join(tmpdir(), 'heapsleuth-wrapped-retainers-'));

async function run(script: string): Promise<{ result: ChildResult; verdict: Verdict }> {
  const out = mkdtempSync(join(work, 'run-'));
  const jsonFile = join(out, 'verdict.json');
  const result = await runNode(
    [cliPath, 'run', '-q', '--retainers', '--interval', '300ms', '--duration', '8s', '--out', join(out, 'recording'), '--json', jsonFile, '--', process.execPath, fixture(`wrapped/${script}`)],
    { timeoutMs: 180_000 },
  );
  assert.equal(result.code, 0, result.stderr);
  return { result, verdict: JSON.parse(readFileSync(jsonFile, 'utf8')) as Verdict };
}

/** The 1-based line of the fixture marked `// keeper:` (or `// keeper: <mark>`): where the wrapped function is written. */
function keeperLine(file: string, mark = ''): number {
  const index = readFileSync(fixture(`wrapped/${file}`), 'utf8').split('\n').findIndex((line) => line.includes(`// keeper:${mark ? ` ${mark}` : ''}`));
  assert.ok(index >= 0, `${file} marks its keeper`);
  return index + 1;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('run --retainers: a listener added per request with socket.once on pooled sockets is blamed on the listener, not on the once wrapper', async () => {
  const { result, verdict } = await run('socket-once.mjs');
  assert.equal(verdict.verdict, 'leak');
  const line = keeperLine('client.mjs');
  const site = verdict.suspects.find((suspect) => suspect.file === 'test/fixtures/wrapped/requests.mjs');
  assert.ok(site, JSON.stringify(verdict.suspects.map((suspect) => `${suspect.file}:${suspect.line}`)));
  const paths = JSON.stringify(site.retainers?.map((retainer) => retainer.path));
  assert.deepEqual(site.keeper, { file: 'test/fixtures/wrapped/client.mjs', line, what: 'once listener onTimeout' }, paths);
  // the wrapper hop reads as the listener it calls; the JSON step says what it wraps
  const retainer = site.retainers![0]!;
  assert.match(retainer.path, new RegExp(`timeout \\(Array\\) -> \\[\\] \\(once\\) -> onTimeout at test/fixtures/wrapped/client\\.mjs:${line}`), retainer.path);
  const wrapper = retainer.steps.find((step) => step.wraps);
  assert.deepEqual(wrapper?.wraps, { kinds: ['once'], function: 'onTimeout', file: 'test/fixtures/wrapped/client.mjs', line });
  assert.match(result.stdout, new RegExp(`held by once listener onTimeout at test/fixtures/wrapped/client\\.mjs:${line}, not by the code that allocated them`));
  const top = verdict.suspects[0]!;
  if (top.keeper) assert.match(result.stdout, new RegExp(`NEXT +open ${escape(`${top.keeper.file}:${top.keeper.line}`)}: its ${escape(top.keeper.what)} keeps alive`));
});

test('run --retainers: entries kept by setTimeout(fn.bind(entry)) are blamed on the bound callback', async () => {
  const { result, verdict } = await run('timer-bind.mjs');
  assert.equal(verdict.verdict, 'leak');
  const line = keeperLine('expiry.mjs');
  const site = verdict.suspects.find((suspect) => suspect.file === 'test/fixtures/wrapped/entries.mjs');
  assert.ok(site, JSON.stringify(verdict.suspects.map((suspect) => `${suspect.file}:${suspect.line}`)));
  const paths = JSON.stringify(site.retainers?.map((retainer) => retainer.path));
  assert.deepEqual(site.keeper, { file: 'test/fixtures/wrapped/expiry.mjs', line, what: 'timer callback expire' }, paths);
  const retainer = site.retainers![0]!;
  // a Timeout calling a bound function: both hops, then the function the program wrote
  assert.match(retainer.path, new RegExp(`\\(Timeout\\) -> \\(bound\\) -> expire at test/fixtures/wrapped/expiry\\.mjs:${line}$`), retainer.path);
  assert.deepEqual(retainer.steps.at(-1)?.wraps, { kinds: ['timer', 'bind'], function: 'expire', file: 'test/fixtures/wrapped/expiry.mjs', line });
  assert.match(result.stdout, new RegExp(`held by timer callback expire at test/fixtures/wrapped/expiry\\.mjs:${line}, not by the code that allocated them`));
  // a timer list is a linked list: its Timeouts on the way read once, with a count
  assert.ok(verdict.suspects.every((suspect) => (suspect.retainers ?? []).every((each) => !/(_idlePrev \(Timeout\) -> ){3}/.test(each.path))), 'runs of one step are collapsed');
});

test('retainers: an AbortSignal listener and listeners wrapped by AsyncResource.bind and runInAsyncScope.bind lead on to the functions the program wrote', async () => {
  const dir = mkdtempSync(join(work, 'snapshots-'));
  const child = await runNode([fixture('wrapped/listener-snapshots.mjs'), dir], { cwd: repoRoot });
  assert.equal(child.code, 0, child.stderr);
  const jsonFile = join(dir, 'groups.json');
  const result = await runNode([cliPath, 'retainers', join(dir, 'before.heapsnapshot'), join(dir, 'after.heapsnapshot'), '--json', jsonFile], { cwd: repoRoot });
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(readFileSync(jsonFile, 'utf8')) as RetainerReport;
  const file = 'test/fixtures/wrapped/listener-snapshots.mjs';
  const wrappers = report.groups.flatMap((group) => group.path.flatMap((step) => (step.wraps ? [step.wraps] : [])));
  const shown = JSON.stringify(wrappers);
  // an EventTarget's Listener record calls its callback
  const listener = wrappers.find((wraps) => wraps.kinds[0] === 'listener');
  assert.equal(listener?.function, 'onAbort', shown);
  assert.deepEqual([listener.location?.file, listener.location?.line], [file, keeperLine('listener-snapshots.mjs', 'listener')]);
  // AsyncResource.bind's closure (node:async_hooks) calls the fn in its scope
  const bound = wrappers.find((wraps) => wraps.kinds[0] === 'node');
  assert.equal(bound?.function, 'onClose', shown);
  assert.deepEqual([bound.location?.file, bound.location?.line], [file, keeperLine('listener-snapshots.mjs', 'node')]);
  // Node's runInAsyncScope bound to the program's function: that function, a bound argument
  const runInScope = wrappers.find((wraps) => wraps.kinds[0] === 'bind');
  assert.equal(runInScope?.function, 'onFinish', shown);
  assert.deepEqual([runInScope.location?.file, runInScope.location?.line], [file, keeperLine('listener-snapshots.mjs', 'bound-args')]);
});
