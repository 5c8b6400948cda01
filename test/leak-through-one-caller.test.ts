import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, runForVerdict } from './child-process.js';
import { tempDir } from './temp-dir.js';

interface Line {
  type: string;
  id?: number;
  function?: string;
  frames?: number[];
  sampling?: { survivors?: boolean };
  rows?: number[][];
  final?: string;
}

test('a helper whose records one caller drops after a while and another keeps for good: a leak at the helper\'s line; without the second caller, not a leak', async () => {
  // remember() (line 17) allocates for openSession(), whose records live 1.5 s, and for
  // audit(), which keeps every 5th session's record in a registry: two stacks of one site
  const dir = tempDir('heapsleuth-one-caller-');
  const service = fixture('services/two-caller-sessions.mjs');
  const { result, verdict } = await runForVerdict(service, '10s', { extra: ['--out', join(dir, 'rec')], env: { HOLD_MS: '1500', LEAK_EVERY: '5' } });
  assert.equal(verdict.verdict, 'leak', result.stdout);
  const top = verdict.suspects[0]!;
  assert.equal(`${top.file}:${top.line}`, 'test/fixtures/services/two-caller-sessions.mjs:17', JSON.stringify(verdict.suspects.slice(0, 3)));

  // the evidence: audit()'s stack never loses an old sample, yet its survivors (6th column),
  // counted against the site's turnover, keep growing; openSession()'s stack has none
  const [file] = readdirSync(join(dir, 'rec')).filter((name) => name.endsWith('.ndjson'));
  const lines = readFileSync(join(dir, 'rec', file!), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Line);
  assert.equal(lines[0]!.sampling?.survivors, true);
  const functions = new Map(lines.filter((line) => line.type === 'frame').map((line) => [line.id!, line.function]));
  const stacksOf = (caller: string) => new Set(lines.filter((line) => line.type === 'stack' && line.frames!.some((id) => functions.get(id) === caller) && line.frames!.some((id) => functions.get(id) === 'remember')).map((line) => line.id!));
  const running = lines.filter((line) => line.type === 'sample' && line.final === undefined);
  const column = (stacks: Set<number>, at: number) => running.map((line) => line.rows!.filter((row) => stacks.has(row[0]!)).reduce((sum, row) => sum + (row[at] ?? 0), 0));
  const audit = stacksOf('audit');
  const sessions = stacksOf('openSession');
  assert.ok(audit.size > 0 && sessions.size > 0, 'both callers were sampled');
  const survivors = column(audit, 5);
  assert.ok(column(audit, 3).every((died) => died === 0), 'the kept records never die');
  assert.ok(column(sessions, 3).reduce((sum, died) => sum + died, 0) > 0, 'the dropped records die old');
  assert.ok(survivors.at(-1)! > Math.max(...survivors.slice(0, survivors.length >> 1)), survivors.join(' '));

  const clean = await runForVerdict(service, '10s', { env: { HOLD_MS: '1500', LEAK_EVERY: '0' } });
  assert.equal(clean.verdict.verdict, 'no-leak', `${clean.result.stdout}\n${JSON.stringify(clean.verdict.suspects.slice(0, 2))}`);
});
