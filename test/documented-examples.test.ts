/**
 * Every example in README.md, docs/*.md and the `--help` texts runs as written (issue 18).
 *
 * How to add an example
 * - Each fenced block in README.md and docs/*.md needs an annotation: an HTML comment on the
 *   line just before its fence (```json blocks are data, never commands, and need none):
 *     <!-- doc-test: run [options] -->   run it, as its language says (below)
 *     <!-- doc-test: skip <reason> -->   not run, and why (e.g. it installs into the system)
 *     <!-- doc-test: output -->          sample output of the example above, not a command
 *   A block without one fails this test: a new example cannot go untested by accident.
 * - Languages: sh (the whole block with bash; option `each-line` runs its lines one by one),
 *   console (each `$ ` line in turn in one folder; a trailing `# exit N` is its exit code),
 *   js and ts (written to example.mjs, ts through TypeScript's transpiler, run with node;
 *   ts blocks also type-check, strict, against the package's declarations), python
 *   (python3 example.py).
 * - Options: exit=N (default 0); stop-after=3s (then SIGINT to the whole process group, as
 *   Ctrl-C does; the block must end by it); stdout=/re/ and stderr=/re/ (must match; the
 *   output of all commands of the block); creates=PATH (exists afterwards; `*` matches within
 *   a name); recordings (the folder also holds the files the examples name:
 *   .heapsleuth/api-4121.ndjson, .heapsleuth/checkout-4242-*.ndjson, heap.pb.gz, ...);
 *   needs=jemalloc (skipped, with the reason, where no jemalloc with heap profiling is
 *   installed, unless HEAPSLEUTH_REQUIRE_NATIVE=1, as in CI).
 * - Each block runs in a fresh copy of a small project (test/fixtures/docs-sandbox: server.js,
 *   dist/server.js, test/soak.js, legacy-cjs-app.js, app.py, `npm start`) whose
 *   node_modules/heapsleuth links to this package, so imports go through its exports map,
 *   and `heapsleuth` / `npx heapsleuth` through its bin, on PATH as after an install.
 * - Only durations change: HEAPSLEUTH_DOC_TEST_DURATION caps `heapsleuth run --duration`.
 * - `--help` texts: every line under "Examples:" of every command runs the same way, with
 *   the recordings; HELP_EXPECTATIONS lists what each must do beyond exiting 0 with output,
 *   or, for one that cannot run here, why (`skip`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import ts from 'typescript';
import { Frame } from '../src/model/frame.js';
import { Traceback } from '../src/model/traceback.js';
import { parseRecording, snapshotOfSample } from '../src/formats/recording.js';
import { analyzeRecordings } from '../src/analysis/analyze.js';
import { snapshotToPprof } from '../src/formats/pprof.js';
import { fixture, repoRoot } from './child-process.js';
import { recordingText } from './recording-text.js';
import { findJemalloc } from '../src/native/jemalloc.js';
import { tempDir } from './temp-dir.js';

const DOC_TEST_DURATION = '10s';
const MiB = 1024 * 1024;

/** What `--help` examples must do beyond exiting 0 with output (keyed by the example's text), or why one is not run. */
/** jemalloc with heap profiling, for `run --native` examples: .ci/run installs it, a fresh machine may not have it. */
const jemallocMissing =
  !findJemalloc().ok && process.env.HEAPSLEUTH_REQUIRE_NATIVE !== '1' ? 'needs jemalloc with heap profiling (apt-get install libjemalloc2; .ci/run does)' : false;

const HELP_EXPECTATIONS: Record<string, { exit?: number; stdout?: RegExp; creates?: string; skip?: string | false }> = {
  'heapsleuth run --native --duration 5m -- node server.js': { skip: jemallocMissing },
  'heapsleuth analyze --prometheus http://127.0.0.1:9090 --job checkout --since 7d --json fleet.json': {
    skip: "needs a Prometheus scraping the job's agents at 127.0.0.1:9090; test/fleet-prometheus.test.ts runs this command against a real one",
  },
  'heapsleuth attach 4121 --duration 10m --json verdict.json --html report.html': {
    skip: 'needs a running Node.js process with that pid; test/attach.test.ts runs attach against real processes started without heapsleuth',
  },
  'heapsleuth attach --port 9229 --duration 5m --interval 1m': {
    skip: 'needs an inspector listening on 9229 (other tests may use it); test/attach.test.ts runs attach --port against a real one',
  },
  'heapsleuth run --duration 2m -- node dist/server.js': { stdout: /^heapsleuth LEAK · server \(node\)/m },
  'heapsleuth run --fail-on-leak --duration 90s --json verdict.json -- node test/soak.js': { exit: 1, creates: 'verdict.json' },
  'heapsleuth run --duration 5m -- python3 app.py': { stdout: /^heapsleuth \S+ · app \(python\)/m },
  'heapsleuth analyze .heapsleuth/ --json > verdict.json': { creates: 'verdict.json' },
  'heapsleuth report .heapsleuth/ -o report.html': { creates: 'report.html' },
  'heapsleuth retainers before.heapsnapshot after.heapsnapshot': { skip: 'needs two heap snapshots of one process; test/retainers.test.ts runs retainers on snapshots of real leaking processes' },
  'heapsleuth retainers before.heapsnapshot after.heapsnapshot --retained --json groups.json': { skip: 'needs two heap snapshots of one process; test/retainers.test.ts runs retainers on snapshots of real leaking processes' },
  'heapsleuth retainers heap.heapsnapshot --limit 5': { skip: 'needs two heap snapshots of one process; test/retainers.test.ts runs retainers on snapshots of real leaking processes' },
  'heapsleuth export .heapsleuth/api-4121.ndjson --at -1 -o heap.pb.gz': { creates: 'heap.pb.gz' },
  'heapsleuth export .heapsleuth/api-4121.ndjson --at 2024-05-01T12:00:00Z -o api.heapprofile': { creates: 'api.heapprofile' },
};

interface Block {
  source: string;
  line: number;
  lang: string;
  code: string;
  annotation: string | undefined;
}

interface RunOptions {
  exit: number;
  stopAfterMs: number | undefined;
  stdout: RegExp | undefined;
  stderr: RegExp | undefined;
  creates: string | undefined;
  recordings: boolean;
  eachLine: boolean;
  /** Why it cannot run on this machine (a Debian package it needs is missing), if so. */
  skip: string | false;
}


interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const docFiles = ['README.md', ...readdirSync(join(repoRoot, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

function fencedBlocks(source: string): Block[] {
  const lines = readFileSync(join(repoRoot, source), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((line, j) => j > i && /^```\s*$/.test(line));
    assert.ok(end > i, `${source}:${i + 1}: a fence that is never closed`);
    const previous = lines[i - 1] ?? '';
    const annotation = /^<!-- doc-test: (.*) -->$/.exec(previous.trim())?.[1];
    blocks.push({ source, line: i + 1, lang: open[1]!, code: lines.slice(i + 1, end).join('\n'), annotation });
    i = end;
  }
  return blocks;
}

function runOptions(annotation: string): RunOptions {
  const options: RunOptions = { exit: 0, stopAfterMs: undefined, stdout: undefined, stderr: undefined, creates: undefined, recordings: false, eachLine: false, skip: false };
  const words = annotation.replace(/^run\s*/, '');
  for (const [, key, value] of words.matchAll(/([a-z-]+)(?:=(\/(?:\\.|[^/\\])*\/[a-z]*|\S+))?/g)) {
    if (key === 'exit') options.exit = Number(value);
    else if (key === 'stop-after') options.stopAfterMs = Number(/^(\d+)s$/.exec(value ?? '')?.[1]) * 1000;
    else if (key === 'stdout' || key === 'stderr') options[key] = regex(value!);
    else if (key === 'creates') options.creates = value;
    else if (key === 'recordings') options.recordings = true;
    else if (key === 'each-line') options.eachLine = true;
    else if (key === 'needs' && value === 'jemalloc') options.skip = jemallocMissing;
    else assert.fail(`unknown doc-test option ${key} in "${annotation}"`);
  }
  return options;
}

function regex(literal: string): RegExp {
  const match = /^\/(.*)\/([a-z]*)$/.exec(literal);
  assert.ok(match, `not a /regex/: ${literal}`);
  return new RegExp(match[1]!, match[2]);
}

// ---------------------------------------------------------------------------------------
// The project folder every example runs in.

/** A recording the examples name, written by the real encoder: samples every minute around 2024-05-01T12:00Z, one site growing. */
function exampleRecording(service: string, pid: number): string {
  const start = Date.UTC(2024, 4, 1, 11, 50);
  const leak = new Traceback([new Frame('src/sessions.ts', 12, 'remember'), new Frame('src/server.ts', 80, 'handle')]);
  const steady = new Traceback([new Frame('src/cache.ts', 42, 'fill')]);
  return recordingText(
    Array.from({ length: 21 }, (_, i) => ({
      traces: [
        { traceback: leak, size: (2 + i) * MiB + (i % 4) * 4096, count: 30 + 15 * i },
        { traceback: steady, size: 8 * MiB + (i % 3) * 8192, count: 120 },
      ],
      process: {
        time: start + i * 60_000,
        memory: { rss: (120 + i) * MiB, heapTotal: 60 * MiB, heapUsed: (40 + i) * MiB, external: 2 * MiB, arrayBuffers: MiB },
        handles: { Timeout: 4 + (i % 2), TCPSocketWrap: 2 },
      },
    })),
    { service, pid, startTime: new Date(start).toISOString(), argv: ['node', 'server.js'], limits: { heapLimitBytes: 4096 * MiB } },
  );
}

let templateDir: string | undefined;

/** The project folder, built once: the apps, node_modules linked to this package and the libraries the examples import. */
function projectTemplate(): string {
  if (templateDir) return templateDir;
  const dir = tempDir('heapsleuth-docs-template-');
  const sandbox = fixture('docs-sandbox');
  cpSync(join(sandbox, 'package.json'), join(dir, 'package.json'));
  cpSync(join(sandbox, 'app.py'), join(dir, 'app.py'));
  cpSync(join(sandbox, 'mypackage'), join(dir, 'mypackage'), { recursive: true });
  for (const name of ['server.js', 'dist/server.js', 'test/soak.js', 'legacy-cjs-app.js']) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    cpSync(join(sandbox, 'service.js'), join(dir, name));
  }
  // As `npm install heapsleuth` would: the package, its bin on node_modules/.bin, executable.
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '.bin'), { recursive: true });
  symlinkSync(repoRoot, join(modules, 'heapsleuth'), 'dir');
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  for (const [name, target] of Object.entries(manifest.bin)) {
    chmodSync(join(repoRoot, target), 0o755);
    symlinkSync(join('..', 'heapsleuth', target), join(modules, '.bin', name));
  }
  // The libraries the examples use next to heapsleuth, as a user's project has them.
  for (const name of ['pino', 'prom-client', '@opentelemetry/api', '@opentelemetry/sdk-metrics']) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(repoRoot, 'node_modules', name), join(modules, name), 'dir');
  }
  // `python3 -m heapsleuth_agent` finds the agent where pip would have put it on the path.
  symlinkSync(join(repoRoot, 'agents', 'python', 'heapsleuth_agent'), join(dir, 'heapsleuth_agent'), 'dir');
  templateDir = dir;
  return dir;
}

/** A fresh copy of the project for one example (node_modules linked, not copied). */
function freshProject(withRecordings: boolean): string {
  const template = projectTemplate();
  const dir = tempDir('heapsleuth-docs-');
  for (const name of readdirSync(template)) {
    if (name === 'node_modules' || name === 'heapsleuth_agent') symlinkSync(join(template, name), join(dir, name), 'dir');
    else cpSync(join(template, name), join(dir, name), { recursive: true });
  }
  if (withRecordings) {
    const recordings = join(dir, '.heapsleuth');
    mkdirSync(recordings, { mode: 0o700 });
    writeFileSync(join(recordings, 'api-4121.ndjson'), exampleRecording('api', 4121));
    writeFileSync(join(recordings, 'checkout-4242-20240501T115000Z.ndjson'), exampleRecording('checkout', 4242));
    const recording = parseRecording(exampleRecording('api', 4121));
    const at = (index: number) => snapshotToPprof(snapshotOfSample(recording, recording.samples.at(index)!));
    writeFileSync(join(dir, 'heap.pb.gz'), at(-1));
    writeFileSync(join(dir, 'heap-0900.pb.gz'), at(0));
    writeFileSync(join(dir, 'heap-1700.pb.gz'), at(-1));
    writeFileSync(join(dir, 'dd-heap.pb.gz'), at(5));
  }
  return dir;
}

function environment(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${join(dir, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}`, HEAPSLEUTH_DOC_TEST_DURATION: DOC_TEST_DURATION };
  // The examples run as a user's shell would: no agent settings leak in from the test run.
  for (const name of Object.keys(env)) if (name.startsWith('HEAPSLEUTH_') && name !== 'HEAPSLEUTH_DOC_TEST_DURATION') delete env[name];
  delete env['NODE_OPTIONS'];
  delete env['NODE_TEST_CONTEXT'];
  env['NO_COLOR'] = '1';
  return env;
}

/** Runs a command with bash in its own process group; `stopAfterMs` sends SIGINT to the group then, as Ctrl-C does. */
function shell(command: string, dir: string, stopAfterMs: number | undefined): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { cwd: dir, env: environment(dir), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    };
    const stop = stopAfterMs === undefined ? undefined : setTimeout(() => signalGroup('SIGINT'), stopAfterMs);
    // A safety net against a hanging example, not a timing assertion.
    const safety = setTimeout(() => signalGroup('SIGKILL'), (stopAfterMs ?? 0) + 90_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(stop);
      clearTimeout(safety);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The exit code as a shell reports it: 128 + the signal number for a process killed by a signal. */
function exitCode(outcome: Outcome): number {
  if (outcome.signal === 'SIGINT') return 130;
  if (outcome.signal) return 128 + 9;
  return outcome.code ?? -1;
}

function assertExit(what: string, outcome: Outcome, expectedExit: number): void {
  assert.equal(exitCode(outcome), expectedExit, `exit code of ${shown(what, outcome)}`);
  assert.doesNotMatch(outcome.stderr, /internal error|\n\s+at .*\(.*:\d+:\d+\)/, `no stack trace: ${shown(what, outcome)}`);
}

function assertOutput(what: string, outcome: Outcome, options: Pick<RunOptions, 'stdout' | 'stderr' | 'creates'>, dir: string): void {
  if (options.stdout) assert.match(outcome.stdout, options.stdout, shown(what, outcome));
  if (options.stderr) assert.match(outcome.stderr, options.stderr, shown(what, outcome));
  for (const path of options.creates?.split(',') ?? []) assert.ok(matchesPath(dir, path), `${path} was not created: ${shown(what, outcome)}`);
}

function shown(what: string, outcome: Outcome): string {
  return `${what}\n--- stdout\n${outcome.stdout}\n--- stderr\n${outcome.stderr}`;
}

function matchesPath(dir: string, pattern: string): boolean {
  const parts = pattern.split('/').filter((part) => part !== '');
  const walk = (at: string, rest: string[]): boolean => {
    if (rest.length === 0) return true;
    const [part, ...tail] = rest;
    if (!part!.includes('*')) return existsSync(join(at, part!)) && walk(join(at, part!), tail);
    if (!existsSync(at)) return false;
    const re = new RegExp(`^${part!.split('*').map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
    return readdirSync(at).some((name) => re.test(name) && walk(join(at, name), tail));
  };
  return walk(dir, parts);
}

// ---------------------------------------------------------------------------------------
// Running a block.

async function runBlock(block: Block, options: RunOptions): Promise<void> {
  const dir = freshProject(options.recordings);
  const where = `${block.source}:${block.line}`;
  const combined: Outcome = { code: null, signal: null, stdout: '', stderr: '' };
  const record = (outcome: Outcome) => {
    combined.stdout += outcome.stdout;
    combined.stderr += outcome.stderr;
  };
  const expectedEnd = options.stopAfterMs === undefined ? options.exit : options.exit === 0 ? 130 : options.exit;
  if (block.lang === 'sh') {
    const commands = options.eachLine ? block.code.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#')) : [block.code];
    for (const command of commands) {
      const outcome = await shell(command, dir, options.stopAfterMs);
      record(outcome);
      assertExit(`${where}: ${command}`, outcome, expectedEnd);
    }
  } else if (block.lang === 'console') {
    const commands = block.code.split('\n').filter((line) => line.startsWith('$ ')).map((line) => line.slice(2));
    assert.ok(commands.length > 0, `${where}: a console block without '$ ' commands`);
    for (const command of commands) {
      const expected = Number(/#\s*exit (\d+)/.exec(command)?.[1] ?? expectedEnd);
      const outcome = await shell(command, dir, options.stopAfterMs);
      record(outcome);
      assertExit(`${where}: ${command}`, outcome, expected);
    }
  } else if (block.lang === 'js' || block.lang === 'ts') {
    const code = block.lang === 'ts' ? ts.transpileModule(block.code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText : block.code;
    writeFileSync(join(dir, 'example.mjs'), code);
    const outcome = await shell('node example.mjs', dir, options.stopAfterMs);
    record(outcome);
    assertExit(`${where}: the ${block.lang} example`, outcome, expectedEnd);
  } else if (block.lang === 'python') {
    writeFileSync(join(dir, 'example.py'), block.code);
    const outcome = await shell('python3 example.py', dir, options.stopAfterMs);
    record(outcome);
    assertExit(`${where}: the python example`, outcome, expectedEnd);
  } else {
    assert.fail(`${where}: cannot run a block of language "${block.lang}"; mark it sh, console, js, ts or python, or skip it with a reason`);
  }
  assertOutput(`${where} (all its commands)`, combined, options, dir);
}

// ---------------------------------------------------------------------------------------
// The tests.

const blocks = docFiles.flatMap(fencedBlocks);

test('every fenced block in README.md and docs/ is run, or skipped with a reason', () => {
  const unannotated = blocks.filter((block) => block.lang !== 'json' && block.annotation === undefined).map((block) => `${block.source}:${block.line} (${block.lang || 'no language'})`);
  assert.deepEqual(unannotated, [], 'add <!-- doc-test: run ... -->, <!-- doc-test: skip <reason> --> or <!-- doc-test: output --> before each (see the top of this test)');
  for (const block of blocks) {
    if (block.annotation === undefined) continue;
    const where = `${block.source}:${block.line}`;
    if (block.annotation.startsWith('skip')) assert.match(block.annotation, /^skip \S.{10,}/, `${where}: a skip needs its reason`);
    else if (block.annotation !== 'output') assert.match(block.annotation, /^run\b/, `${where}: unknown annotation "${block.annotation}"`);
  }
});

test('the documented examples run as written', { concurrency: 3 }, async (t) => {
  const running: Promise<void>[] = [];
  for (const block of blocks.filter((candidate) => candidate.annotation?.startsWith('run'))) {
    const first = block.code.split('\n').find((line) => line.trim() !== '') ?? '';
    const options = runOptions(block.annotation!);
    running.push(t.test(`${block.source}:${block.line} ${block.lang}: ${first.slice(0, 70)}`, { skip: options.skip }, () => runBlock(block, options)));
  }
  await Promise.all(running);
});

test('every --help example runs as written', { concurrency: 3 }, async (t) => {
  const template = projectTemplate();
  const heapsleuth = join(template, 'node_modules', '.bin', 'heapsleuth');
  const help = execFileSync(heapsleuth, ['--help'], { encoding: 'utf8' });
  const commands = [...help.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((match) => match[1]!);
  assert.ok(commands.includes('run') && commands.includes('analyze'), help);
  const seen = new Set<string>();
  const running: Promise<void>[] = [];
  for (const name of commands) {
    const usage = execFileSync(heapsleuth, [name, '--help'], { encoding: 'utf8' });
    const examples = usage.split(/^Examples:\n/m)[1]?.split('\n').filter((line) => line.startsWith('  heapsleuth ')).map((line) => line.trim()) ?? [];
    assert.ok(examples.length > 0, `heapsleuth ${name} --help shows no examples`);
    for (const example of examples) {
      seen.add(example);
      const expected = HELP_EXPECTATIONS[example] ?? {};
      if (expected.skip) {
        running.push(t.test(example, { skip: expected.skip }));
        continue;
      }
      running.push(t.test(example, async () => {
        const dir = freshProject(true);
        const outcome = await shell(example, dir, undefined);
        assertExit(example, outcome, expected.exit ?? 0);
        assertOutput(example, outcome, { stdout: expected.stdout, stderr: undefined, creates: expected.creates }, dir);
        if (!expected.creates) assert.notEqual(outcome.stdout + outcome.stderr, '', `${example} printed nothing`);
      }));
    }
  }
  await Promise.all(running);
  const stale = Object.keys(HELP_EXPECTATIONS).filter((example) => !seen.has(example));
  assert.deepEqual(stale, [], 'HELP_EXPECTATIONS names examples no --help text shows');
});

test('the TypeScript examples type-check against the declarations the package ships', async () => {
  const dir = freshProject(false);
  const examples = blocks.filter((block) => block.lang === 'ts' && block.annotation?.startsWith('run'));
  assert.ok(examples.length > 0);
  mkdirSync(join(dir, 'examples'));
  const names = examples.map((block, i) => {
    const name = `examples/${basename(block.source, '.md')}-${block.line}-${i}.mts`;
    writeFileSync(join(dir, name), block.code + '\nexport {};\n');
    return name;
  });
  symlinkSync(join(repoRoot, 'node_modules', '@types'), join(dir, 'node_modules', '@types'), 'dir');
  const config = {
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
    files: names,
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config, null, 2));
  const outcome = await shell(`node ${JSON.stringify(join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'))} -p tsconfig.json`, dir, undefined);
  assert.equal(outcome.code, 0, `tsc on the examples (${names.join(', ')}):\n${outcome.stdout}${outcome.stderr}`);
});

test('the JSON verdict in docs/verdict.md has exactly the fields a real verdict has', () => {
  const documented = blocks.find((block) => block.source === 'docs/verdict.md' && block.lang === 'json');
  assert.ok(documented, 'docs/verdict.md shows the JSON verdict');
  const real = analyzeRecordings([parseRecording(exampleRecording('api', 4121))]);
  assert.equal(real.verdict, 'leak');
  assert.deepEqual(fieldPaths(JSON.parse(documented.code)), fieldPaths(JSON.parse(JSON.stringify(real))), 'docs/verdict.md and the verdict differ');
});

/** Every field path of a JSON value (`process.rss.leak`, `suspects[].traceback[].file`); arrays by their first element. */
function fieldPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [`${prefix}[]`] : fieldPaths(value[0], `${prefix}[]`);
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value)
    .flatMap(([key, field]) => fieldPaths(field, prefix === '' ? key : `${prefix}.${key}`))
    .sort();
}

test('the packed package holds every file its exports map and bin name', () => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { exports: Record<string, string | Record<string, string>>; bin: Record<string, string> };
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, encoding: 'utf8' })) as [{ files: { path: string }[] }];
  const files = new Set(packed.files.map((file) => file.path));
  const targets = [...Object.values(manifest.exports).flatMap((entry) => (typeof entry === 'string' ? [entry] : Object.values(entry))), ...Object.values(manifest.bin)];
  const missing = targets.map((target) => target.replace(/^\.\//, '')).filter((target) => !files.has(target));
  assert.deepEqual(missing, []);
  assert.ok(files.has('README.md') && [...files].some((file) => file.startsWith('docs/')), 'README.md and docs/ ship with the package');
});
