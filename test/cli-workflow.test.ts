import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Frame } from '../src/model/frame.js';
import { Traceback } from '../src/model/traceback.js';
import { cliPath, runNode } from './child-process.js';
import { recordingText } from './recording-text.js';
import { tempDir } from './temp-dir.js';

// The CLI as people type it (issue 18): folders as `run` writes them, negative indices,
// `--json -`, names that are not commands, and a CI gate that records nothing.

const MiB = 1024 * 1024;
const heapsleuth = (cwd: string, ...args: string[]) => runNode([cliPath, ...args], { cwd, env: { NO_COLOR: '1' } });

/** A recording of `service` with `samples` samples a minute apart, one site growing by `growMiB` per sample. */
function recording(service: string, pid: number, samples: number, growMiB: number, startMs = Date.UTC(2026, 10, 23, 12)): string {
  const site = new Traceback([new Frame(`src/${service}.js`, 7, 'remember')]);
  return recordingText(
    Array.from({ length: samples }, (_, i) => ({
      traces: [{ traceback: site, size: (1 + i * growMiB) * MiB + (i % 3) * 1024, count: 10 + i }],
      process: { time: startMs + i * 60_000, memory: { rss: 100 * MiB, heapTotal: 50 * MiB, heapUsed: 40 * MiB, external: MiB, arrayBuffers: 0 } },
    })),
    { service, pid, startTime: new Date(startMs).toISOString() },
  );
}

/** A project folder whose .heapsleuth/ holds two run folders, as `heapsleuth run` writes them: an older one of `old-svc`, a newer one of `new-svc`. */
function projectWithTwoRuns(): string {
  const cwd = tempDir('heapsleuth-workflow-');
  const older = join(cwd, '.heapsleuth', 'run-20261123T120000Z');
  const newer = join(cwd, '.heapsleuth', 'run-20261123T130000Z');
  mkdirSync(older, { recursive: true });
  mkdirSync(newer, { recursive: true });
  writeFileSync(join(older, 'old-svc-10-20261123T120000Z.ndjson'), recording('old-svc', 10, 20, 1));
  writeFileSync(join(newer, 'new-svc-20-20261123T130000Z.ndjson'), recording('new-svc', 20, 20, 0));
  const hourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(join(older, 'old-svc-10-20261123T120000Z.ndjson'), hourAgo, hourAgo);
  return cwd;
}

test('analyze .heapsleuth/ reads the newest run folder that heapsleuth run wrote, and says so', async () => {
  const cwd = projectWithTwoRuns();
  const result = await heapsleuth(cwd, 'analyze', '.heapsleuth/', '--json');
  assert.equal(result.code, 0, result.stderr);
  const verdict = JSON.parse(result.stdout) as { service: string; verdict: string; window: { samples: number } };
  assert.equal(verdict.service, 'new-svc');
  assert.equal(verdict.window.samples, 20);
  assert.match(result.stderr, /reading the newest run, \.heapsleuth\/run-20261123T130000Z \(of 2; --all-runs reads them all\)/);
});

test('analyze --all-runs and report --all-runs read every run folder', async () => {
  const cwd = projectWithTwoRuns();
  const result = await heapsleuth(cwd, 'analyze', '.heapsleuth', '--all-runs', '--json', 'all.json');
  assert.equal(result.code, 0, result.stderr);
  const verdict = JSON.parse(readFileSync(join(cwd, 'all.json'), 'utf8')) as { service: string; verdict: string; otherServices: { service: string; verdict: string }[] };
  // Both services judged: the growing one first, with its leak.
  assert.equal(verdict.service, 'old-svc');
  assert.equal(verdict.verdict, 'leak');
  assert.deepEqual(verdict.otherServices.map((other) => [other.service, other.verdict]), [['new-svc', 'no-leak']]);
  const report = await heapsleuth(cwd, 'report', '.heapsleuth/', '--all-runs', '-o', 'r.html');
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /wrote r\.html \(old-svc: leak, 1 suspect, 20 samples\)/);
  assert.match(report.stdout, /also hold new-svc/);
});

test('report .heapsleuth/ -o FILE (docs/reports.md) works on run folders', async () => {
  const cwd = projectWithTwoRuns();
  const result = await heapsleuth(cwd, 'report', '.heapsleuth/', '-o', 'report.html');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^heapsleuth: wrote report\.html \(new-svc: no-leak, 20 samples\)\n$/);
  assert.match(readFileSync(join(cwd, 'report.html'), 'utf8'), /^<!doctype html>/i);
});

test('a folder with neither recordings nor run folders: one line saying what to pass instead', async () => {
  const cwd = tempDir('heapsleuth-workflow-');
  mkdirSync(join(cwd, '.heapsleuth', 'run-20261123T120000Z'), { recursive: true });
  const result = await heapsleuth(cwd, 'analyze', '.heapsleuth/');
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    "heapsleuth: .heapsleuth/: folder holds no .ndjson recordings and no run folders; name a recording file, or the folder 'heapsleuth run' or the agent wrote (e.g. .heapsleuth/)\n",
  );
});

test('negative indices as the help texts show them: top --at -1, export --at -1, diff --to -1', async () => {
  const cwd = tempDir('heapsleuth-workflow-');
  writeFileSync(join(cwd, 'api.ndjson'), recording('api', 5, 6, 1));
  const top = await heapsleuth(cwd, 'top', 'api.ndjson', '--at', '-2', '--json');
  assert.equal(top.code, 0, top.stderr);
  assert.equal((JSON.parse(top.stdout) as { snapshot: { index: number } }).snapshot.index, 4);
  const exported = await heapsleuth(cwd, 'export', 'api.ndjson', '--at', '-1', '-o', 'heap.pb.gz');
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stderr, /from sample 5 of 6 in api\.ndjson/);
  const diff = await heapsleuth(cwd, 'diff', 'api.ndjson', '--from', '-3', '--to', '-1', '--json');
  assert.equal(diff.code, 0, diff.stderr);
  const parsed = JSON.parse(diff.stdout) as { old: { index: number }; new: { index: number }; totalSizeDiff: number };
  assert.deepEqual([parsed.old.index, parsed.new.index], [3, 5]);
  assert.equal(parsed.totalSizeDiff, 2 * MiB + 2048);
});

test('a usage error names the command once', async () => {
  const cwd = tempDir('heapsleuth-workflow-');
  const result = await heapsleuth(cwd, 'top', 'x.ndjson', '--bogus');
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^heapsleuth: top: Unknown option '--bogus'/);
});

test('analyze --json - prints the JSON verdict on stdout', async () => {
  const cwd = tempDir('heapsleuth-workflow-');
  writeFileSync(join(cwd, 'api.ndjson'), recording('api', 5, 20, 1));
  for (const args of [['--json', '-', 'api.ndjson'], ['api.ndjson', '--json', '-'], ['api.ndjson', '--json']]) {
    const result = await heapsleuth(cwd, 'analyze', ...args);
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    assert.equal((JSON.parse(result.stdout) as { verdict: string }).verdict, 'leak');
  }
});

test('names of Object.prototype are unknown commands, not internal errors', async () => {
  const cwd = tempDir('heapsleuth-workflow-');
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    const result = await heapsleuth(cwd, name);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr, `heapsleuth: unknown command "${name}". Run 'heapsleuth --help' for the list.\n`);
  }
  const help = await heapsleuth(cwd, 'help', 'constructor');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^heapsleuth \S+: finds memory leaks/);
});

test('run --fail-on-leak with a command that records nothing: an inconclusive verdict with its reason, exit 5', async () => {
  const cwd = tempDir('heapsleuth-workflow-');
  const result = await heapsleuth(cwd, 'run', '--quiet', '--json', 'v.json', '--fail-on-leak', '--', 'true');
  assert.equal(result.code, 5, result.stderr);
  const verdict = JSON.parse(readFileSync(join(cwd, 'v.json'), 'utf8')) as { verdict: string; reason: string; window: { samples: number } };
  assert.equal(verdict.verdict, 'inconclusive');
  assert.match(verdict.reason, /^nothing was recorded in \.heapsleuth\/run-\d{8}T\d{6}Z: the command exited before the agent's first snapshot, or it is not a Node\.js or Python program$/);
  assert.equal(verdict.window.samples, 0);
  // Without --fail-on-leak it is not a gate: exit 0, the same verdict.
  const plain = await heapsleuth(cwd, 'run', '--quiet', '--json', 'w.json', '--', 'true');
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal((JSON.parse(readFileSync(join(cwd, 'w.json'), 'utf8')) as { verdict: string }).verdict, 'inconclusive');
});

test('--at with a time without a zone is UTC, whatever TZ says', async () => {
  const cwd = tempDir('heapsleuth-workflow-');
  // Samples at 12:00, 12:01, ... 12:05 UTC.
  writeFileSync(join(cwd, 'api.ndjson'), recording('api', 5, 6, 1));
  for (const TZ of ['UTC', 'America/New_York', 'Asia/Kolkata']) {
    for (const [at, index] of [['2026-11-23T12:03:30', 3], ['2026-11-23 12:01', 1], ['2026-11-23T12:03:30Z', 3], ['2026-11-23T17:33:30+05:30', 3]] as const) {
      const result = await runNode([cliPath, 'top', 'api.ndjson', '--at', at, '--json'], { cwd, env: { TZ } });
      assert.equal(result.code, 0, `${TZ} ${at}: ${result.stderr}`);
      assert.equal((JSON.parse(result.stdout) as { snapshot: { index: number } }).snapshot.index, index, `TZ=${TZ} --at ${at}`);
    }
  }
});
