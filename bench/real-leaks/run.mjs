// The real-leaks benchmark: leaks that were fixed in published npm packages, each run through
// heapsleuth the way a user runs it, leaky version and first fixed version.
//
//   node bench/real-leaks/run.mjs [--cases a,b] [--heapsleuth dist/src/cli/main.js]
//                                 [--duration 80] [--parallel 1] [--quick] [--retainers] [--out DIR]
//
// Per case and version: `heapsleuth run --interval 3s --duration 80s --json v.json -q [truth.json's
// run options] --out DIR -- node workload.js` in the case folder (the workload stops on its own
// before that). Scores:
// detected (verdict `leak` on the leaky version), the rank of the first suspect whose file is
// one of the files the fix changed (truth.json; a native case counts when one of the first
// three native suspects is in its addon, `nativeLibraries`), and false alarms (`leak` on
// the fixed version). Writes results/<stamp>/summary.{json,md} and prints the table.
// `--quick` runs each workload 25 s with heapsleuth's --duration 30s (a smoke test, not a score).
// `--retainers` passes --retainers to `heapsleuth run` (heap snapshots from the start); without
// it `run` takes them only once its live analysis sees a leak (its default; `--no-retainers`
// passes --no-retainers: none at all). Columns of their own score whether a top-three suspect's
// site or the code that keeps its objects (`keptBy`) is in a truth file, whether a suspect's
// retainer path names code in a truth file, and how many snapshots each version got (a fixed
// version must get none) with their pauses.
// `--held-out` runs only the held-out cases (truth.json `heldOut`: added after the tuning, never
// used to improve heapsleuth); the table marks them and totals them apart, per batch too.
// `--held-out BATCH` (a heldOut value, e.g. 2026-11-29b) runs only that batch.
// `--rescore DIR[,DIR]` only scores the verdicts of earlier runs (e.g. a corpus run in parts)
// into one summary in --out.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { casesDir, ensureInstalled, listCases, prepareFixed, readCase } from './lib/cases.mjs';
import { scoreCase } from './lib/score.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '../..');
const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const quick = args.includes('--quick');
const retainers = args.includes('--retainers');
const noRetainers = args.includes('--no-retainers');
// only the negative controls: the fixed versions, where any `leak` is a false alarm
const fixedOnly = args.includes('--fixed-only');
const heapsleuth = resolve(option('--heapsleuth') ?? join(repoRoot, 'dist/src/cli/main.js'));
const durationS = Number(option('--duration') ?? (quick ? 30 : 80));
const workloadS = quick ? durationS - 5 : Number(option('--workload') ?? 70);
const parallel = Math.min(2, Math.max(1, Number(option('--parallel') ?? 1)));
const rescore = option('--rescore')?.split(',').filter(Boolean);
const heldOutOnly = args.includes('--held-out');
const heldOutBatch = option('--held-out')?.startsWith('--') ? undefined : option('--held-out');
const isWanted = (name) => {
  if (!heldOutOnly) return true;
  const batch = readCase(name).heldOut;
  return Boolean(batch) && (!heldOutBatch || batch === heldOutBatch);
};
const wanted = option('--cases')?.split(',').filter(Boolean) ?? listCases().filter(isWanted);
if (heldOutBatch && !wanted.length) {
  console.error(`no held-out case has heldOut ${heldOutBatch}`);
  process.exit(2);
}
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const outDir = resolve(option('--out') ?? join(here, 'results', stamp));

if (!rescore && !existsSync(heapsleuth)) {
  console.error(`heapsleuth CLI not found: ${heapsleuth} (run npm run build, or pass --heapsleuth)`);
  process.exit(2);
}
for (const name of wanted) {
  if (!existsSync(join(casesDir, name, 'truth.json'))) {
    console.error(`unknown case: ${name} (cases: ${listCases().join(', ')})`);
    process.exit(2);
  }
}
mkdirSync(outDir, { recursive: true });

function runOne(name, version) {
  const dir = version === 'fixed' ? join(casesDir, name, 'fixed') : join(casesDir, name);
  const runDir = join(outDir, name, version);
  mkdirSync(runDir, { recursive: true });
  const verdictFile = join(runDir, 'verdict.json');
  const command = [
    heapsleuth, 'run', '--interval', '3s', '--duration', `${durationS}s`, '--json', verdictFile, '-q',
    ...(retainers ? ['--retainers'] : []),
    ...(noRetainers ? ['--no-retainers'] : []),
    ...(readCase(name).run ?? []), // the case's own run options (native cases: --native ...)
    '--out', join(runDir, 'recording'), '--', 'node', 'workload.js',
  ];
  return new Promise((resolvePromise) => {
    const startedAt = Date.now();
    const child = spawn(process.execPath, command, {
      cwd: dir,
      env: { ...process.env, DURATION_S: String(workloadS) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => {
      writeFileSync(join(runDir, 'output.txt'), output);
      const verdict = readVerdict(verdictFile);
      resolvePromise({ code, seconds: Math.round((Date.now() - startedAt) / 1000), verdict, retainers, recordingDir: join(runDir, 'recording') });
    });
  });
}

function readVerdict(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

const runs = new Map();
const jobs = [];
if (rescore) {
  for (const dir of rescore.map((d) => resolve(d))) {
    for (const name of readdirSync(dir)) {
      if (!wanted.includes(name)) continue;
      for (const version of ['leaky', 'fixed']) {
        const verdict = readVerdict(join(dir, name, version, 'verdict.json'));
        const recording = join(dir, name, version, 'recording');
        const snapshots = existsSync(recording) && readdirSync(recording).some((file) => file.endsWith('.heapsnapshots.json'));
        if (verdict) runs.set(`${name}/${version}`, { code: 0, verdict, from: dir, retainers: snapshots, recordingDir: recording });
      }
    }
  }
}
for (const name of rescore ? [] : wanted) {
  const dir = join(casesDir, name);
  ensureInstalled(dir);
  ensureInstalled(join(dir, 'fixed'));
  prepareFixed(dir);
  if (!fixedOnly) jobs.push([name, 'leaky']);
  jobs.push([name, 'fixed']);
}

if (!rescore) console.log(`real-leaks: ${wanted.length} cases, ${jobs.length} runs of ${durationS} s, ${parallel} at a time, heapsleuth ${heapsleuth}`);
let next = 0;
async function worker() {
  while (next < jobs.length) {
    const [name, version] = jobs[next++];
    const result = await runOne(name, version);
    runs.set(`${name}/${version}`, result);
    console.log(`  ${name} ${version}: ${result.verdict?.verdict ?? `no verdict (exit ${result.code})`} in ${result.seconds} s`);
  }
}
await Promise.all(Array.from({ length: parallel }, worker));

const scored = rescore ? wanted.filter((name) => runs.has(`${name}/leaky`) || runs.has(`${name}/fixed`)) : wanted;
const rows = scored.map((name) => scoreCase(readCase(name), runs.get(`${name}/leaky`), runs.get(`${name}/fixed`)));
const totals = {
  cases: rows.length,
  detected: rows.filter((row) => row.detected).length,
  namedTop3: rows.filter((row) => row.namedTop3).length,
  falseAlarms: rows.filter((row) => row.falseAlarm).length,
  keptByTruth: rows.filter((row) => row.keptByTruth).length,
  namedTop3SiteOrKeeper: rows.filter((row) => row.namedTop3SiteOrKeeper).length,
  snapshotsOnFixed: rows.reduce((sum, row) => sum + row.fixedSnapshots.taken, 0),
};
const countOf = (some) => ({
  cases: some.length,
  detected: some.filter((row) => row.detected).length,
  namedTop3: some.filter((row) => row.namedTop3).length,
  falseAlarms: some.filter((row) => row.falseAlarm).length,
});
const heldOut = rows.filter((row) => row.heldOut);
const heldOutTotals = countOf(heldOut);
// Batches: each set of held-out cases added at once (truth.json heldOut), reported apart.
const heldOutBatches = Object.fromEntries(
  [...new Set(heldOut.map((row) => String(row.heldOut)))].sort().map((batch) => [batch, countOf(heldOut.filter((row) => String(row.heldOut) === batch))]),
);
const summary = rescore
  ? { date: new Date().toISOString(), node: process.version, rescoredFrom: rescore, totals, heldOutTotals, heldOutBatches, rows }
  : { date: new Date().toISOString(), node: process.version, heapsleuth, durationS, workloadS, quick, retainers: retainers ? 'on' : noRetainers ? 'off' : 'auto', totals, heldOutTotals, heldOutBatches, rows };
writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);

const table = [
  '| case | package (leaky → fixed) | kind | leaky verdict | rank of first truth file (site) | named in top 3 (site or keeper) | kept alive by a truth file | heap snapshots (leaky) | fixed verdict | heap snapshots (fixed) |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (row) =>
      `| ${row.case}${row.heldOut ? ` (held out${typeof row.heldOut === 'string' ? ` ${row.heldOut}` : ''})` : ''} | ${row.package} ${row.leakyVersion} → ${row.fixedVersion} | ${row.kind} | ${row.leakyVerdict} | ${row.rankText} | ${row.siteOrKeeperText.replace(/\|/g, '\\|')} | ${row.keptByText} | ${row.leakySnapshotsText.replace(/\|/g, '\\|')} | ${row.fixedVerdict}${row.falseAlarm ? ' (false alarm)' : ''} | ${row.fixedSnapshotsText.replace(/\|/g, '\\|')} |`,
  ),
  '',
  `Detected ${totals.detected}/${totals.cases}; truth file in the top three (site) ${totals.namedTop3}/${totals.cases}; named in the top three (site or keeper) ${totals.namedTop3SiteOrKeeper}/${totals.cases}; a top-three suspect's retainer path names a truth file ${totals.keptByTruth}/${totals.cases}${rows.some((row) => row.leakySnapshots.taken > 0) ? '' : ' (no heap snapshots)'}; false alarms on fixed versions ${totals.falseAlarms}/${totals.cases}; heap snapshots on fixed versions ${totals.snapshotsOnFixed}.`,
  ...(heldOut.length ? [`Held-out cases alone: detected ${heldOutTotals.detected}/${heldOutTotals.cases}; truth file in the top three ${heldOutTotals.namedTop3}/${heldOutTotals.cases}; false alarms ${heldOutTotals.falseAlarms}/${heldOutTotals.cases}.`] : []),
  ...(Object.keys(heldOutBatches).length > 1
    ? Object.entries(heldOutBatches).map(([batch, t]) => `Held out ${batch}: detected ${t.detected}/${t.cases}; truth file in the top three ${t.namedTop3}/${t.cases}; false alarms ${t.falseAlarms}/${t.cases}.`)
    : []),
];
writeFileSync(join(outDir, 'summary.md'), `${table.join('\n')}\n`);
console.log(`\n${table.join('\n')}\n\nwritten: ${join(outDir, 'summary.md')} and summary.json`);
