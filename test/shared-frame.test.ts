import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, runForVerdict } from './child-process.js';

function lineOf(file: string, text: string): number {
  const index = readFileSync(file, 'utf8').split('\n').findIndex((line) => line.includes(text));
  assert.ok(index >= 0, `${text} in ${file}`);
  return index + 1;
}

test('sites a dependency allocates in several files under one inner function are blamed on that function, and its sites rank after distinct places', async () => {
  const root = mkdtempSync(join(tmpdir(), 'heapsleuth-shared-'));
  mkdirSync(join(root, 'node_modules'));
  cpSync(fixture('shared-frame/origin-pool'), join(root, 'node_modules', 'origin-pool'), { recursive: true });
  cpSync(fixture('shared-frame/app.mjs'), join(root, 'app.mjs'));
  const { result, verdict } = await runForVerdict('app.mjs', '6s', { cwd: root });
  assert.equal(verdict.verdict, 'leak', result.stdout);

  // the call the app made is request() in index.js; the pools are kept by agent.js's poolFor(), which every site passes through
  const call = verdict.suspects.find((suspect) => suspect.keyType === 'call');
  assert.ok(call, result.stdout);
  const agent = 'node_modules/origin-pool/agent.js';
  assert.deepEqual([call.file, call.line, call.function], [agent, lineOf(join(root, 'node_modules/origin-pool', 'agent.js'), 'poolFor(origin) {'), 'poolFor'], result.stdout);
  assert.deepEqual(call.sharedFrame && [call.sharedFrame.file, call.sharedFrame.function], [agent, 'poolFor']);
  assert.ok(call.sharedFrame!.sites >= 2 && call.sharedFrame!.sites <= call.sites!, JSON.stringify(call.sharedFrame));
  assert.ok(call.sharedFrame!.share >= 0.9, JSON.stringify(call.sharedFrame));
  // the call entered there stays its traceback's first frame, with the app's line below it
  assert.deepEqual([call.traceback[0]!.file, call.traceback[0]!.function], ['node_modules/origin-pool/index.js', 'request']);
  assert.equal(call.calledFrom?.function, 'crawl');
  assert.match(result.stdout, /poolFor \(node_modules\/origin-pool\/agent\.js:\d+\)/, result.stdout);

  // the sites the call sums come after every suspect it does not sum: the top ranks are distinct places
  const members = verdict.suspects.filter((suspect) => suspect.keyType === 'lineno' && suspect.file.startsWith('node_modules/origin-pool/'));
  const others = verdict.suspects.filter((suspect) => suspect !== call && !members.includes(suspect));
  assert.ok(members.length >= 2, result.stdout);
  for (const other of others) for (const member of members) assert.ok(other.rank < member.rank, `#${other.rank} ${other.file} before member #${member.rank} ${member.file}`);
  assert.ok(call.rank < Math.min(...members.map((member) => member.rank)));
});
