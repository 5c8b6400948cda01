// heapsleuth's fleet verdict against the alert rules people use (issue 16, part 6), on the
// same simulated fleets (fleet-model.mjs): deploys every 1-3 days, caches warming up after
// each start, a daily traffic cycle, the agent's sampling noise, and a leak of 0.2 to 20
// MiB/h per instance that enters with the first deploy after day 7 and stays. No Prometheus:
// the series are built in memory as Prometheus would answer them, and the rules are
// evaluated here with PromQL's semantics (bench/fleet/README.md defines them).
//
//   npm run build && node bench/fleet/compare.mjs [--instances 10] [--seeds 1] [--rates 0,0.2,1,5,20] [--warmup-hours 3] [--warmup-share 0.5] [--quick]
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONTAINER_LIMIT, HANDLE_TYPES, INTERVAL_BYTES, HEAP_LIMIT, LEAK_SITE, MEMORY_TYPES, SITE_NAMES, fleetModel, lifetimeAt, sampleAt, units } from './fleet-model.mjs';

const { HOUR, DAY } = units;
const dist = new URL('../../dist/src/fleet/', import.meta.url);
if (!existsSync(fileURLToPath(new URL('fleet-verdict.js', dist)))) {
  console.error('bench/fleet/compare.mjs: dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const { instanceLifetimes } = await import(new URL('fleet-lifetimes.js', dist).href);
const { judgeFleet } = await import(new URL('fleet-verdict.js', dist).href);

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const quick = args.includes('--quick');
const INSTANCES = Number(option('--instances', '10'));
const SEEDS = Number(option('--seeds', '1'));
const RATES = option('--rates', quick ? '0,1' : '0,0.2,1,5,20').split(',').map(Number);
const DAYS = 14;
const LEAK_AFTER_DAYS = 7;
const CHECK_EVERY = 6 * HOUR; // heapsleuth asked every 6 h
const SINCE = 7 * DAY; // heapsleuth analyze --since 7d
const STEP = Number(option('--step-minutes', '10')) * 60_000; // heapsleuth analyze --step 10m: bucket medians of the one-minute scrapes (the default for --since 7d is 7 min)
const EVAL_EVERY = 5 * 60_000; // alert rules evaluated every 5 min, `for: 30m`
const FOR_EVALS = 7;
const WARMUP = Number(option('--warmup-hours', '3')) * HOUR; // the second heapsleuth column leaves out each lifetime's first hours
const FIRST_CHECK_DAY = Number(option('--first-check-day', '3')); // heapsleuth's checks (every 6 h) start then
const SHARE = Number(option('--warmup-share', '0.5')); // the third heapsleuth column: also the first share of each lifetime left out (0: no such column)
const START = Date.UTC(2026, 10, 1);
const END = START + DAYS * DAY;

const rows = [];
for (const rate of RATES) {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const model = fleetModel({ instances: INSTANCES, startMs: START, endMs: END, seed: seed * 101 + Math.round(rate * 10), leakMiBPerHour: rate, leakAfterMs: START + LEAK_AFTER_DAYS * DAY });
    const started = Date.now();
    const scraped = scrape(model);
    const leakAt = model.leakDeploy?.time;
    const row = {
      rate,
      seed,
      leakAt: leakAt === undefined ? '-' : `day ${((leakAt - START) / DAY).toFixed(1)}`,
      heapsleuth: judgeOverTime(model, scraped, leakAt, {}),
      heapsleuthWarmup: judgeOverTime(model, scraped, leakAt, { warmupMs: WARMUP }),
      ...(SHARE > 0 ? { heapsleuthShare: judgeOverTime(model, scraped, leakAt, { warmupMs: WARMUP, warmupShare: SHARE }) } : {}),
      predictLinear: alertOverTime(model, scraped, leakAt, predictLinearRule),
      weekOverWeek: alertOverTime(model, scraped, leakAt, weekOverWeekRule),
      seconds: (Date.now() - started) / 1000,
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
}

console.log(`\n${INSTANCES} instances, ${DAYS} days, leak from the first deploy after day ${LEAK_AFTER_DAYS}; detection = hours after that deploy\n`);
console.log(`| leak MiB/h per instance | seed | leak deployed | heapsleuth: detected after | its false alarms (checks) | heapsleuth, first ${WARMUP / HOUR} h of each lifetime left out: detected after | its false alarms (checks) |${SHARE > 0 ? ` heapsleuth, first ${WARMUP / HOUR} h and first ${SHARE * 100}% of each lifetime left out: detected after | its false alarms (checks) |` : ''} predict_linear > limit: detected after | its false alarms | +20% week over week: detected after | its false alarms |`);
console.log(`|---|---|---|---|---|---|---|---|---|---|---|${SHARE > 0 ? '---|---|' : ''}`);
const hours = (value) => (value === null ? 'never' : `${value.toFixed(0)} h`);
for (const r of rows) {
  console.log(
    `| ${r.rate || 'none'} | ${r.seed} | ${r.leakAt} | ${r.rate ? hours(r.heapsleuth.detectedAfterHours) : '-'} | ${r.heapsleuth.falseAlarms}/${r.heapsleuth.checksWithoutLeak} | ${r.rate ? hours(r.heapsleuthWarmup.detectedAfterHours) : '-'} | ${r.heapsleuthWarmup.falseAlarms}/${r.heapsleuthWarmup.checksWithoutLeak} |${r.heapsleuthShare ? ` ${r.rate ? hours(r.heapsleuthShare.detectedAfterHours) : '-'} | ${r.heapsleuthShare.falseAlarms}/${r.heapsleuthShare.checksWithoutLeak} |` : ''} ${r.rate ? hours(r.predictLinear.detectedAfterHours) : '-'} | ${r.predictLinear.falseAlarms} | ${r.rate ? hours(r.weekOverWeek.detectedAfterHours) : '-'} | ${r.weekOverWeek.falseAlarms} |`,
  );
}

/**
 * The fleet as Prometheus holds it: per member, 1-minute RSS (what the alert rules read)
 * and 5-minute bucket medians of every heapsleuth series (what `analyze --step 5m` reads).
 */
function scrape(model) {
  return model.members.map((member) => {
    const minutes = [];
    for (let t = model.startMs; t <= model.endMs; t += 60_000) {
      const lifetime = lifetimeAt(member, t);
      minutes.push({ time: t, lifetime, sample: sampleAt(model, member, lifetime, t) });
    }
    const rss = Float64Array.from(minutes, (m) => m.sample.memory[0]);
    const steps = [];
    for (let i = STEP / 60_000; i < minutes.length; i += STEP / 60_000) {
      const bucket = minutes.slice(i - STEP / 60_000 + 1, i + 1);
      const last = bucket.at(-1);
      const median = (pick) => medianOf(bucket.map(pick));
      steps.push({
        time: last.time,
        lifetime: last.lifetime,
        memory: MEMORY_TYPES.map((_, k) => median((m) => m.sample.memory[k])),
        sites: SITE_NAMES.map((_, k) => median((m) => m.sample.sites[k])),
        handles: HANDLE_TYPES.map((_, k) => median((m) => m.sample.handles[k])),
      });
    }
    return { member, rss, steps };
  });
}

/** heapsleuth analyze --since 7d --step 5m, asked every 6 h. */
function judgeOverTime(model, scraped, leakAt, lifetimeOptions) {
  let detectedAfterHours = null;
  let falseAlarms = 0;
  let checksWithoutLeak = 0;
  let missedAfterDetection = 0;
  const wrong = [];
  for (let t = model.startMs + FIRST_CHECK_DAY * DAY; t <= model.endMs; t += CHECK_EVERY) {
    const from = Math.max(model.startMs, t - SINCE);
    const lifetimes = scraped.flatMap(({ member, steps }) => instanceLifetimes(instanceSeries(model, member, steps.filter((s) => s.time > from && s.time <= t)), model.job, lifetimeOptions));
    const verdict = judgeFleet(lifetimes, { source: 'simulated' });
    const named = verdict.suspects[0] && `${verdict.suspects[0].file}:${verdict.suspects[0].line} ${verdict.suspects[0].function}`;
    const leakInWindow = leakAt !== undefined && t > leakAt;
    if (!leakInWindow) {
      checksWithoutLeak++;
      if (verdict.verdict === 'leak') {
        falseAlarms++;
        wrong.push(`day ${((t - model.startMs) / DAY).toFixed(2)}: ${named ?? verdict.reason}`);
      }
    } else if (verdict.verdict === 'leak' && named === LEAK_SITE) {
      if (detectedAfterHours === null) detectedAfterHours = (t - leakAt) / HOUR;
    } else if (detectedAfterHours !== null) missedAfterDetection++;
    if (leakInWindow && verdict.verdict === 'leak' && named !== LEAK_SITE) wrong.push(`day ${((t - model.startMs) / DAY).toFixed(2)} (leak in window): ${named ?? verdict.reason}`);
  }
  return { detectedAfterHours, falseAlarms, checksWithoutLeak, missedAfterDetection, wrong: wrong.slice(0, 4) };
}

/** What readFleet would yield for one member over some steps. */
function instanceSeries(model, member, steps) {
  const target = { job: model.job, instance: member.name };
  const series = (labels, pick) => ({ labels: { ...target, ...labels }, times: steps.map((s) => s.time), values: steps.map(pick) });
  const versions = [...new Set(steps.map((s) => s.lifetime.version))];
  return {
    instance: member.name,
    targetLabels: target,
    info: versions.map((version) => {
      const own = steps.filter((s) => s.lifetime.version === version);
      return { labels: { __name__: 'heapsleuth_info', ...target, service: model.job, version }, times: own.map((s) => s.time), values: own.map(() => 1) };
    }),
    startTime: [series({}, (s) => s.lifetime.start / 1000)],
    memory: MEMORY_TYPES.map((type, k) => series({ type }, (s) => s.memory[k])),
    sites: SITE_NAMES.map((site, k) => series({ site }, (s) => s.sites[k])),
    handles: HANDLE_TYPES.map((type, k) => series({ type }, (s) => s.handles[k])),
    limits: [series({ type: 'heap' }, () => HEAP_LIMIT), series({ type: 'container' }, () => CONTAINER_LIMIT)],
    samplingInterval: [series({}, () => INTERVAL_BYTES)],
  };
}

/**
 * `predict_linear(process_resident_memory_bytes[6h], 86400) > 512Mi`: the least-squares line
 * through the 1-minute points of the last 6 h (across restarts: the series of an instance
 * does not change), evaluated 24 h after now.
 */
function predictLinearRule(rss, i) {
  const n = 6 * 60;
  if (i < n - 1) return false;
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let k = i - n + 1; k <= i; k++) {
    const x = (k - i) * 60; // seconds relative to now, as PromQL does
    sx += x;
    sy += rss[k];
    sxx += x * x;
    sxy += x * rss[k];
  }
  const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  const intercept = sy / n - (slope * sx) / n;
  return intercept + slope * 86400 > CONTAINER_LIMIT;
}

/** `avg_over_time(process_resident_memory_bytes[1h]) > 1.2 * avg_over_time(process_resident_memory_bytes[1h] offset 7d)`. */
function weekOverWeekRule(rss, i) {
  const week = 7 * 24 * 60;
  if (i < week + 59) return false;
  let now = 0, before = 0;
  for (let k = 0; k < 60; k++) {
    now += rss[i - k];
    before += rss[i - week - k];
  }
  return now > 1.2 * before;
}

/**
 * A rule evaluated every 5 min on every instance, firing when true for 30 min (`for: 30m`).
 * Detection: the first firing after the leak's deploy. False alarm: a firing (one per
 * instance and episode) before that deploy, or in a fleet without a leak.
 */
function alertOverTime(model, scraped, leakAt, rule) {
  let detectedAfterHours = null;
  let falseAlarms = 0;
  for (const { rss } of scraped) {
    let run = 0;
    for (let i = 0; i < rss.length; i += EVAL_EVERY / 60_000) {
      run = rule(rss, i) ? run + 1 : 0;
      if (run !== FOR_EVALS) continue; // one alert per episode
      const time = model.startMs + i * 60_000;
      if (leakAt !== undefined && time > leakAt) {
        const after = (time - leakAt) / HOUR;
        if (detectedAfterHours === null || after < detectedAfterHours) detectedAfterHours = after;
      } else falseAlarms++;
    }
  }
  return { detectedAfterHours, falseAlarms };
}

function medianOf(values) {
  const sorted = values.sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
