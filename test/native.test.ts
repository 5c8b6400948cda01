import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Verdict } from '../src/analysis/verdict.js';
import { cliPath, fixture, registerPath, repoRoot, runChild, runNode, type ChildResult } from './child-process.js';
import { pathToFileURL } from 'node:url';
import { launchTestBrowser } from './browser.js';
import { parseHeapDump } from '../src/native/heap-dump.js';
import { findJemalloc } from '../src/native/jemalloc.js';
import { parseNativeLog } from '../src/native/native-log.js';
import { nativeStack } from '../src/native/native-stack.js';
import { Symbolizer } from '../src/native/symbolizer.js';
import { tempDir } from './temp-dir.js';

// CI installs libjemalloc2 and a C compiler (.ci/run) and requires these tests
// (HEAPSLEUTH_REQUIRE_NATIVE=1); elsewhere those that need them are skipped with the reason.
// They build their native code with cc.
const work = tempDir('heapsleuth-native-');
const jemalloc = findJemalloc();
const hasCc = spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;
const missing = [!jemalloc.ok && 'jemalloc with heap profiling (apt-get install libjemalloc2)', !hasCc && 'a C compiler (cc)'].filter(Boolean).join(' and ');
const needsNative = missing && process.env.HEAPSLEUTH_REQUIRE_NATIVE !== '1' ? `needs ${missing}; .ci/run installs them` : false;
const addon = join(work, 'leaky.node');
const library = join(work, 'libpyleak.so');
const nodeHeaders = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node'].find((dir) => existsSync(join(dir, 'node_api.h')));

before(() => {
  if (needsNative) return;
  assert.ok(nodeHeaders, 'node_api.h not found beside node or in /usr/include/node');
  execFileSync('cc', ['-shared', '-fPIC', '-O2', `-I${nodeHeaders}`, '-o', addon, fixture('native/leaky_addon.c')]);
  execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', library, fixture('native/pyleak.c')]);
});

/**
 * `heapsleuth run --native` with dumps every MiB allocated (the default, 256 MiB, is for services).
 * Ticks every 250 ms: a verdict needs 10 samples, and at 500 ms a loaded machine fit 11 to 13 in
 * 7 s (its 14 less a slow start). No heap snapshots: at 250 ms run sees the leak soon enough to
 * ask for them in most runs and not in others, and each pauses a 7 s run for hundreds of ms.
 * (What V8 mallocs while it generates one is left out of the native series: heap-snapshot-frames.ts.)
 */
async function nativeRun(command: string[], duration = '7s', options: string[] = []): Promise<{ result: ChildResult; verdict: Verdict; out: string }> {
  const dir = mkdtempSync(join(work, 'run-'));
  const json = join(dir, 'verdict.json');
  const out = join(dir, 'rec');
  const result = await runNode(
    [cliPath, 'run', '--native', '--native-dump-every', '1MiB', ...options, '--no-retainers', '--quiet', '--duration', duration, '--interval', '250ms', '--out', out, '--json', json, '--', ...command],
    { env: { NO_COLOR: '1' } },
  );
  let verdict: Verdict;
  try {
    verdict = JSON.parse(readFileSync(json, 'utf8')) as Verdict;
  } catch {
    assert.fail(`no verdict written; exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return { result, verdict, out };
}

test('jemalloc with heap profiling is on this machine (CI: apt-get install -y libjemalloc2)', { skip: needsNative }, () => {
  const found = findJemalloc();
  assert.ok(found.ok, found.ok ? '' : found.message);
});

test('a native addon that leaks with malloc is named by library and function', { skip: needsNative }, async () => {
  const { result, verdict, out } = await nativeRun([process.execPath, fixture('native/native-addon-leak.mjs'), addon]);
  assert.equal(verdict.verdict, 'leak', `${result.stdout}\nexit ${result.code}\n${result.stderr}`);
  const top = verdict.nativeSuspects?.[0];
  assert.ok(top, `no native suspect\n${result.stdout}`);
  assert.equal(top.library, addon);
  assert.equal(top.function, 'remember_request');
  assert.ok(top.growthBytesPerHour > 0 && top.confidence > 0.9, JSON.stringify(top));
  assert.ok(!verdict.nativeSuspects!.some((suspect) => suspect.function === 'scratch_buffer'), 'memory freed at once is not a suspect');
  // Its callers: the addon's entry, then Node's N-API glue, demangled from node's .symtab.
  assert.equal(top.stack[1]?.function, 'Leak');
  assert.ok(top.stack.some((frame) => frame.function.includes('::')), JSON.stringify(top.stack));
  // JavaScript called the addon: native unwinding ends at the first JIT frame, and says so.
  assert.equal(top.calledFromJavaScript, true);
  assert.match(result.stdout, /remember_request in leaky\.node/);
  assert.match(result.stdout, /JavaScript called in/);
  assert.ok(readdirSync(out).some((name) => /^native-\d+\.jsonl$/.test(name)), 'the native side file sits beside the recording');

  // --duration stopped it with a signal: the agent ended it with exit(128 + n) after its final
  // tick, so jemalloc wrote its final dump (at exit only), and run took that for the signal it was.
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /exited with code/);
  const logName = readdirSync(out).find((name) => /^native-\d+\.jsonl$/.test(name))!;
  const log = parseNativeLog(readFileSync(join(out, logName), 'utf8'));
  const lastDump = log?.dumps.at(-1);
  assert.equal(lastDump?.final, true, 'the last dump is the final one');
  const recordingName = readdirSync(out).find((name) => name.endsWith('.ndjson'))!;
  const end = readFileSync(join(out, recordingName), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; time: number; reason?: string }).find((line) => line.type === 'end');
  assert.match(end?.reason ?? '', /^SIG(INT|TERM)$/);
  assert.ok(lastDump!.time >= end!.time, `final dump at ${lastDump!.time}, final tick at ${end!.time}`);
  assert.ok(readdirSync(join(out, 'native')).some((name) => /\.f\.heap$/.test(name)), 'the final dump stays for jeprof');

  // The HTML report shows it too, rendered in a real browser.
  const html = join(work, 'native-report.html');
  const report = await runNode([cliPath, 'report', out, '-o', html]);
  assert.equal(report.code, 0, report.stderr);
  const browser = await launchTestBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(html).href);
    await page.waitForSelector('[data-rendered="true"]');
    const text = await page.textContent('#native-table');
    assert.match(text ?? '', /remember_request/);
    assert.match(text ?? '', /leaky\.node/);
  } finally {
    await browser.close();
  }
});

test('an addon that keeps references to Buffers: the addon is blamed, not N-API, and the JS side is tied to the native stack', { skip: needsNative }, async () => {
  // Small allocations (a reference each), so sample finely.
  const { result, verdict } = await nativeRun([process.execPath, fixture('native/native-reference-leak.mjs'), addon], '7s', ['--native-sampling', '4KiB']);
  assert.equal(verdict.verdict, 'leak', `${result.stdout}\nexit ${result.code}\n${result.stderr}`);
  const suspects = verdict.nativeSuspects ?? [];
  // Node allocated each reference for the addon (napi_create_reference): blame goes to the addon's function.
  const reference = suspects.find((suspect) => suspect.library === addon);
  assert.ok(reference, `the addon is not a native suspect\n${result.stdout}`);
  assert.equal(reference.function, 'hold_reference');
  assert.ok(reference.via?.some((frame) => frame.function === 'napi_create_reference'), JSON.stringify(reference.via));
  assert.match(result.stdout, /hold_reference in leaky\.node/);
  assert.match(result.stdout, /allocates through napi_create_reference \(node\)/);
  // The Buffers' memory: allocated by Node for JavaScript, the native stack ends in JIT code;
  // the JS suspect that grows in step is the line that makes the Buffers.
  const buffers = suspects.find((suspect) => suspect.calledFromJavaScript && suspect.library !== addon && suspect.javascript?.length);
  assert.ok(buffers, JSON.stringify(suspects.map((suspect) => [suspect.function, suspect.javascript])));
  const tie = buffers.javascript![0]!;
  assert.match(tie.file, /native-reference-leak\.mjs$/);
  assert.equal(tie.function, 'packBatch');
  assert.ok(tie.correlation >= 0.8, JSON.stringify(tie));
  assert.ok(verdict.suspects.some((suspect) => suspect.file === tie.file && suspect.line === tie.line), 'the tie is one of the JS suspects');
  assert.match(result.stdout, /JavaScript side, growing in step: native-reference-leak\.mjs:\d+ packBatch\(\)/);
});

test('a leak in a C library called from Python through ctypes is named by library and function', { skip: needsNative }, async () => {
  // Longer: Python and its agent start slowly on a loaded machine, and a verdict needs 10 samples.
  const { result, verdict } = await nativeRun(['python3', fixture('native/py-ctypes-leak.py'), library], '10s');
  assert.equal(verdict.runtime, 'python');
  assert.equal(verdict.verdict, 'leak', `${result.stdout}\n${result.stderr}`);
  const top = verdict.nativeSuspects?.[0];
  assert.ok(top, `no native suspect\n${result.stdout}`);
  assert.equal(top.library, library);
  assert.equal(top.function, 'cache_record');
  assert.ok(!verdict.nativeSuspects!.some((suspect) => suspect.function === 'scratch'));
  assert.match(result.stdout, /cache_record in libpyleak\.so/);
});

test('RSS that grows while live native allocations stay flat is fragmentation, not a leak', { skip: needsNative }, async () => {
  const { result, verdict } = await nativeRun([process.execPath, fixture('native/native-fragmenting.mjs')]);
  assert.ok(verdict.process.rss.growthBytesPerHour > 0, JSON.stringify(verdict.process.rss));
  assert.equal(verdict.native?.fragmentation, true, JSON.stringify(verdict.native));
  assert.notEqual(verdict.verdict, 'leak', verdict.reason);
  assert.equal(verdict.process.nativeGap.leak, false);
  assert.deepEqual(verdict.nativeSuspects, []);
  assert.match(result.stdout, /fragmentation, not a leak/);
  assert.match(result.stdout, /MALLOC_ARENA_MAX/);
});

test('a service preloads jemalloc itself and the agent picks up its dumps (HEAPSLEUTH_NATIVE=on)', { skip: needsNative }, async () => {
  const found = findJemalloc();
  assert.ok(found.ok);
  const dir = mkdtempSync(join(work, 'service-'));
  await runChild(process.execPath, ['--import', registerPath, fixture('native/native-addon-leak.mjs'), addon], {
    env: {
      LD_PRELOAD: found.library,
      MALLOC_CONF: `prof:true,lg_prof_sample:19,lg_prof_interval:20,prof_final:true,prof_prefix:${join(dir, 'jeprof')}`,
      HEAPSLEUTH_NATIVE: 'on',
      HEAPSLEUTH_OUT: dir,
      HEAPSLEUTH_INTERVAL: '250ms', // 10 samples or more in 7 s on a loaded machine, as in nativeRun
      HEAPSLEUTH_SAMPLER: 'inspector',
      HEAPSLEUTH_LOG: 'off',
    },
    onSpawn: (child) => setTimeout(() => child.kill('SIGINT'), 7000),
  });
  const analyzed = await runNode([cliPath, 'analyze', dir, '--json']);
  const verdict = JSON.parse(analyzed.stdout) as Verdict;
  assert.equal(verdict.nativeSuspects?.[0]?.function, 'remember_request', analyzed.stdout.slice(0, 2000));
  // The final dump comes at exit, after the agent's last tick: analysis reads it from the dump folder.
  const logged = readFileSync(join(dir, readdirSync(dir).find((name) => /^native-\d+\.jsonl$/.test(name))!), 'utf8').split('\n').filter((line) => line.includes('"type":"dump"'));
  assert.ok(readdirSync(dir).some((name) => /\.f\.heap$/.test(name)), 'jemalloc wrote its final dump on the stop signal');
  assert.equal(verdict.native?.dumps, logged.length + 1, 'the final dump is one more point');
  // Dumps up to the last one picked up are deleted, but for that one (for jeprof).
  const dumps = readdirSync(dir).filter((name) => name.endsWith('.heap'));
  const written = Math.max(...dumps.map((name) => Number(/\.(\d+)\.i\d+\.heap$/.exec(name)?.[1] ?? 0))) + 1;
  assert.ok(dumps.length < written / 2, `old dumps are rotated away: ${dumps.length} of ${written} left`);
});

test('without jemalloc, --native says so in one line with the install command', async () => {
  const result = await runNode([cliPath, 'run', '--native', '--out', join(work, 'none'), '--', process.execPath, '-e', '0'], {
    env: { HEAPSLEUTH_JEMALLOC: join(work, 'no-such-libjemalloc.so.2') },
  });
  assert.equal(result.code, 2);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, /apt-get install -y libjemalloc2/);
});

test('a heap_v2 dump of a C program: stacks innermost first, unbiased sizes near the truth', { skip: needsNative }, async () => {
  const source = join(work, 'many.c');
  const program = join(work, 'many');
  writeFileSync(
    source,
    '#include <stdlib.h>\nvoid *kept[50000];\n__attribute__((noinline)) void keep(int i) { kept[i] = malloc(2000); }\nint main(void) { for (int i = 0; i < 50000; i++) keep(i); return 0; }\n',
  );
  execFileSync('cc', ['-O1', '-o', program, source]);
  const found = findJemalloc();
  assert.ok(found.ok);
  const dir = mkdtempSync(join(work, 'dump-'));
  execFileSync(program, [], { env: { LD_PRELOAD: found.library, MALLOC_CONF: `prof:true,lg_prof_sample:19,prof_final:true,prof_prefix:${join(dir, 'p')}` } });
  const [name] = readdirSync(dir);
  const dump = parseHeapDump(readFileSync(join(dir, name!), 'utf8'));
  assert.equal(dump.samplePeriod, 524288);
  assert.ok(dump.maps.some((range) => range.path === program));
  const symbolizer = new Symbolizer();
  const ours = dump.stacks.filter((stack) => nativeStack(stack.pcs, dump.maps, symbolizer).frames[0]?.function === 'keep');
  assert.equal(ours.length, 1);
  // 50000 objects in jemalloc's 2048-byte class: 102 MB; about 195 samples, so a standard error near 7%.
  const truth = 50000 * 2048;
  assert.ok(Math.abs(ours[0]!.bytes - truth) < 0.3 * truth, `estimated ${ours[0]!.bytes} bytes, allocated ${truth}`);
});

test('a Python service on jemalloc: its agent picks up the dumps too (HEAPSLEUTH_NATIVE=on)', { skip: needsNative }, async () => {
  const found = findJemalloc();
  assert.ok(found.ok);
  const dir = mkdtempSync(join(work, 'py-service-'));
  await runChild('python3', ['-m', 'heapsleuth_agent', fixture('native/py-ctypes-leak.py'), library], {
    env: {
      PYTHONPATH: join(repoRoot, 'agents', 'python'),
      LD_PRELOAD: found.library,
      MALLOC_CONF: `prof:true,lg_prof_sample:19,lg_prof_interval:20,prof_prefix:${join(dir, 'jeprof')}`,
      HEAPSLEUTH_NATIVE: 'on',
      HEAPSLEUTH_OUT: dir,
      HEAPSLEUTH_INTERVAL: '500ms',
      HEAPSLEUTH_LOG: 'off',
    },
    onSpawn: (child) => setTimeout(() => child.kill('SIGINT'), 5000),
  });
  const logName = readdirSync(dir).find((name) => /^native-\d+\.jsonl$/.test(name));
  assert.ok(logName, `no native log in ${readdirSync(dir).join(', ')}`);
  const log = parseNativeLog(readFileSync(join(dir, logName), 'utf8'));
  assert.ok(log && log.dumps.length > 0, 'dumps were picked up');
  const symbolizer = new Symbolizer();
  const last = log.dumps.at(-1)!;
  const blamed = last.rows.map((row) => nativeStack(row.pcs, last.maps, symbolizer).frames[0]);
  assert.ok(
    blamed.some((frame) => frame?.library === library && frame.function === 'cache_record'),
    JSON.stringify(blamed.map((frame) => frame?.function)),
  );
});

test('a run that allocates less than one dump interval says how to get native samples', { skip: needsNative }, async () => {
  const result = await runNode(
    [cliPath, 'run', '--native', '--quiet', '--duration', '2s', '--interval', '500ms', '--out', join(work, 'quiet'), '--', process.execPath, '-e', 'setInterval(() => {}, 100)'],
    { env: { NO_COLOR: '1' } },
  );
  assert.match(result.stderr, /too few to judge native sites; for a short run use --native-dump-every 16MiB/);
});
