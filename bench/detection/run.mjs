// Detection benchmark: runs every scenario of catalogue.mjs as a real Node process with the
// heapsleuth agent preloaded, then replays each recording as it grew and reports, per
// scenario, how long and how many leaked bytes it took until the first correct verdict,
// whether the right file was named, and false alarms, next to two simple baselines.
// Run: npm run build && node bench/detection/run.mjs [--quick] [--seconds 30] [--interval 500]
//      [--jobs 2] [--only leak-fast,steady] [--out DIR] [--json FILE]
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRecording } from '../../dist/src/index.js';
import { consecutiveGrowthAlarm, growthOverFirstAlarm } from './baselines.mjs';
import { expectation, scenarios } from './catalogue.mjs';
import { replayPrefixes } from './replay.mjs';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const registerHook = fileURLToPath(new URL('../../dist/src/agent/register.js', import.meta.url));
const scenarioDir = fileURLToPath(new URL('./scenarios/', import.meta.url));

function readSettings(argv) {
  const quick = argv.includes('--quick');
  const option = (name, fallback) => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 && argv[at + 1] !== undefined ? argv[at + 1] : fallback;
  };
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  return {
    quick,
    seconds: Number(option('seconds', quick ? 8 : 30)),
    intervalMs: Number(option('interval', quick ? 250 : 500)),
    jobs: Number(option('jobs', quick ? 5 : 2)),
    samplingIntervalBytes: 32768,
    only: option('only', '').split(',').filter(Boolean),
    outDir: option('out', join(tmpdir(), `heapsleuth-detection-${stamp}`)),
    jsonPath: option('json', ''),
  };
}

/** Runs one scenario to its end (it stops itself); resolves with the recording read back. */
function runScenario(scenario, settings) {
  const dir = join(settings.outDir, scenario.name);
  mkdirSync(dir, { recursive: true });
  const stderr = createWriteStream(join(dir, 'stderr.txt'));
  const child = spawn(process.execPath, ['--import', registerHook, join(scenarioDir, scenario.script)], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      ...scenario.env,
      SCENARIO_SECONDS: String(settings.seconds),
      HEAPSLEUTH_OUT: dir,
      HEAPSLEUTH_INTERVAL: `${settings.intervalMs}ms`,
      HEAPSLEUTH_SAMPLER: 'inspector',
      HEAPSLEUTH_SAMPLING_INTERVAL: String(settings.samplingIntervalBytes),
      HEAPSLEUTH_LOG: 'off',
      HEAPSLEUTH_SERVICE: scenario.name,
    },
  });
  child.stderr.pipe(stderr);
  const watchdog = setTimeout(() => child.kill('SIGKILL'), (settings.seconds + 30) * 1000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(watchdog);
      const name = readdirSync(dir).find((file) => file.endsWith('.ndjson'));
      if (!name) return reject(new Error(`${scenario.name}: no recording in ${dir} (see stderr.txt)`));
      const path = join(dir, name);
      resolve({ path, recording: parseRecording(readFileSync(path, 'utf8'), path) });
    });
  });
}

/** Runs `tasks` (functions returning promises) at most `jobs` at a time, results in order. */
async function inPool(tasks, jobs) {
  const results = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  return results;
}

const MB = 1024 * 1024;
const KB = 1024;
/** A scenario's file by its name; runtime files (`node:internal/timers`) whole. */
const shortFile = (file) => (file.startsWith('node:') ? file : file.split('/').pop());
const seconds = (value) => `${value.toFixed(1)} s`;
const megabytes = (bytes) => (Math.abs(bytes) < MB ? `${Math.round(bytes / KB)} KB` : `${(bytes / MB).toFixed(1)} MB`);

/**
 * What had leaked when a verdict came: a site's estimated live bytes gained since its first
 * sample (the sampling estimate is within a few % of the truth, see docs/accuracy.md: the
 * process heap is too noisy to show a slow leak), external bytes gained since the first
 * periodic tick, or handles gained since then.
 */
function leakedUntil(scenario, samples, step) {
  const index = step.count - 1;
  if (scenario.expect.kind === 'site') {
    const suspect = step.verdict.suspects.find((s) => s.rank === step.blamed.rank);
    return { bytes: suspect.liveBytes - (suspect.series[0]?.value ?? 0) };
  }
  if (scenario.expect.kind === 'external') return { bytes: samples[index].process.memory.external - samples[1].process.memory.external };
  const count = (sample) => sample.process.handles?.[scenario.expect.type] ?? 0;
  return { handles: count(samples[index]) - count(samples[1]) };
}

/** Everything the table and the JSON say about one scenario. */
function summarize(scenario, { path, recording }, steps) {
  const samples = recording.samples;
  const elapsed = (index) => (samples[index].time - samples[0].time) / 1000;
  const series = (key) => samples.map((sample) => sample.process.memory[key]);
  const final = steps.at(-1);
  // How fast it leaks: the growth of the blamed site (or the site named instead) over the whole
  // run, else the growth of the process series in the second half of the run.
  const grown = series(scenario.growth);
  const half = Math.floor(samples.length / 2);
  const siteRate = scenario.expect.kind === 'site' ? (final?.verdict.suspects.find((s) => s.rank === final.blamed?.rank) ?? final?.verdict.suspects[0])?.growthBytesPerHour : undefined;
  const leakRate =
    scenario.expect.kind === 'site'
      ? siteRate === undefined ? undefined : { bytesPerSecond: siteRate / 3600, of: 'site' }
      : { bytesPerSecond: (grown.at(-1) - grown[half]) / Math.max(1e-9, elapsed(samples.length - 1) - elapsed(half)), of: scenario.growth };
  const healthy = scenario.expect.kind === 'healthy';

  const firstCorrect = healthy ? undefined : steps.find((step) => step.outcome === 'correct');
  const leakedAt = (step) => leakedUntil(scenario, samples, step);
  const afterFirst = firstCorrect ? steps.filter((step) => step.count >= firstCorrect.count) : [];
  const alarms = steps.filter((step) => step.outcome === 'false-alarm');
  const wrongBlames = steps.filter((step) => step.verdict.verdict === 'leak' && step.wrongFiles.length > 0);

  // The baselines watch the running service: from the first periodic tick on (sample 0 is
  // taken by the preload hook before the service's own code has even loaded).
  const fromFirstTick = (values) => values.slice(1);
  const baseline = (found) => (found < 0 ? undefined : { index: found + 1, seconds: elapsed(found + 1) });
  const heapUsed = fromFirstTick(series('heapUsed'));
  return {
    name: scenario.name,
    describe: scenario.describe,
    expected: expectation(scenario),
    recording: path,
    samples: samples.length,
    durationSeconds: elapsed(samples.length - 1),
    growthSeries: scenario.growth,
    leakRate,
    heapsleuth: {
      firstCorrect: firstCorrect && { count: firstCorrect.count, seconds: firstCorrect.seconds, leaked: leakedAt(firstCorrect), blamed: firstCorrect.blamed },
      correctShareAfterFirst: afterFirst.length ? afterFirst.filter((step) => step.outcome === 'correct').length / afterFirst.length : 0,
      falseAlarms: alarms.map((step) => step.seconds),
      wrongBlames: wrongBlames.map((step) => ({ seconds: step.seconds, files: step.wrongFiles })),
      prefixes: steps.length,
      final: { outcome: final?.outcome, verdict: final?.verdict.verdict, reason: final?.verdict.reason, suspects: final?.verdict.suspects.slice(0, 3).map((s) => `${s.file}:${s.line} ${s.function || '(anonymous)'}`) ?? [] },
      timeline: steps.map((step) => step.outcome[0]).join(''),
    },
    memwatch: baseline(consecutiveGrowthAlarm(heapUsed)),
    growth20: { heapUsed: baseline(growthOverFirstAlarm(heapUsed)), rss: baseline(growthOverFirstAlarm(fromFirstTick(series('rss')))) },
    finalHandles: samples.at(-1).process.handles ?? {},
  };
}

function heapsleuthCells(scenario, result) {
  const { heapsleuth } = result;
  if (scenario.expect.kind === 'healthy') {
    const alarms = heapsleuth.falseAlarms;
    const alarm = alarms.length === 0 ? 'none' : `${alarms.length}/${heapsleuth.prefixes} prefixes, ${seconds(alarms[0])}-${seconds(alarms.at(-1))}`;
    return ['-', '-', `${alarm}; final: ${heapsleuth.final.outcome === 'false-alarm' ? 'leak' : heapsleuth.final.verdict}`];
  }
  const first = heapsleuth.firstCorrect;
  const leaked = first && (first.leaked.handles === undefined ? megabytes(first.leaked.bytes) : `${first.leaked.handles} handles`);
  const found = first ? `${seconds(first.seconds)}, ${leaked}` : `not found in ${seconds(result.durationSeconds)}`;
  const named = heapsleuth.final.suspects.length ? `: final names ${shortFile(heapsleuth.final.suspects[0])}` : '';
  const file = scenario.expect.kind !== 'site' ? (first ? 'n/a (process finding)' : '-') : first ? `yes: ${first.blamed.function || '(anonymous)'}, rank ${first.blamed.rank}` : named ? `no${named}` : '-';
  const wrong = [...new Set(heapsleuth.wrongBlames.flatMap((blame) => blame.files))];
  const wrongCell = wrong.length === 0 ? 'none' : `${heapsleuth.wrongBlames.length}/${heapsleuth.prefixes} prefixes also name ${wrong.map(shortFile).join(', ')}`;
  return [found, file, wrongCell];
}

function baselineCell(scenario, alarm) {
  if (scenario.expect.kind === 'healthy') return alarm ? `false alarm at ${seconds(alarm.seconds)}` : 'no alarm';
  return alarm ? seconds(alarm.seconds) : 'never';
}

function printTable(results, settings) {
  const lines = [
    `| scenario | expected | heapsleuth: first correct verdict (s, leaked) | right file | false alarm / wrong blame | memwatch-style (5 rising heaps after GC) | heapUsed +20% over first tick |`,
    `|---|---|---|---|---|---|---|`,
  ];
  for (const result of results) {
    const scenario = scenarios.find((s) => s.name === result.name);
    const rate = scenario.expect.kind === 'healthy' ? '' : scenario.expect.kind === 'handles' ? ` (${result.finalHandles[scenario.expect.type] ?? 0} at the end)` : result.leakRate ? ` (~${Math.round(result.leakRate.bytesPerSecond / 1024)} KB/s ${result.leakRate.of})` : '';
    let growth20 = baselineCell(scenario, result.growth20.heapUsed);
    if (scenario.growth === 'external') growth20 = `heap: ${growth20}; RSS: ${baselineCell(scenario, result.growth20.rss)}`;
    lines.push(`| ${result.name}: ${result.describe} | ${result.expected}${rate} | ${heapsleuthCells(scenario, result).join(' | ')} | ${baselineCell(scenario, result.memwatch)} | ${growth20} |`);
  }
  lines.push('');
  lines.push(`${settings.seconds} s per scenario, a tick every ${settings.intervalMs} ms (inspector sampler, ${settings.samplingIntervalBytes / 1024} KiB sampling), verdict asked after every tick from the 10th on.`);
  return lines.join('\n');
}

function printDetails(results) {
  const lines = ['', 'Per scenario: verdict per prefix (c correct, m missed, f false alarm, i inconclusive), final verdict, recording.'];
  for (const result of results) {
    const { heapsleuth } = result;
    lines.push(`- ${result.name}: ${heapsleuth.timeline}`);
    lines.push(`  final: ${heapsleuth.final.verdict} (${heapsleuth.final.reason})${heapsleuth.final.suspects.length ? `; suspects: ${heapsleuth.final.suspects.join('; ')}` : ''}`);
    lines.push(`  RSS +20%: ${result.growth20.rss ? seconds(result.growth20.rss.seconds) : 'never'}; recording: ${result.recording}`);
  }
  return lines.join('\n');
}

const settings = readSettings(process.argv.slice(2));
const chosen = settings.only.length ? scenarios.filter((s) => settings.only.includes(s.name)) : scenarios;
mkdirSync(settings.outDir, { recursive: true });
const startedAt = Date.now();
const results = await inPool(
  chosen.map((scenario) => async () => {
    const run = await runScenario(scenario, settings);
    const steps = replayPrefixes(run.recording, scenario.expect);
    process.stderr.write(`detection: ${scenario.name} done (${run.recording.samples.length} samples)\n`);
    return summarize(scenario, run, steps);
  }),
  settings.jobs,
);
console.log(printTable(results, settings));
console.log(printDetails(results));
console.log(`\nRecordings in ${settings.outDir}; ${Math.round((Date.now() - startedAt) / 1000)} s in all.`);
const json = JSON.stringify({ settings, results }, null, 2);
writeFileSync(join(settings.outDir, 'results.json'), json);
if (settings.jsonPath) writeFileSync(settings.jsonPath, json);
