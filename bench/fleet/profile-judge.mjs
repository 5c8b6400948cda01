// Times the in-process part of the fleet verdict (lifetimes + judgeFleet) on a simulated
// fleet read at the CLI's default step, without Prometheus: a profiling aid.
//   node [--cpu-prof] bench/fleet/profile-judge.mjs [--instances 25] [--days 14] [--leak 0]
import { HANDLE_TYPES, INTERVAL_BYTES, HEAP_LIMIT, CONTAINER_LIMIT, MEMORY_TYPES, SITE_NAMES, fleetModel, lifetimeAt, sampleAt, units } from './fleet-model.mjs';
const { instanceLifetimes } = await import('../../dist/src/fleet/fleet-lifetimes.js');
const { judgeFleet } = await import('../../dist/src/fleet/fleet-verdict.js');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const instances = Number(option('--instances', '25'));
const days = Number(option('--days', '14'));
const leak = Number(option('--leak', '0'));
const warmupMs = Number(option("--warmup-hours", "0")) * units.HOUR;
const end = Date.UTC(2026, 10, 15);
const start = end - days * units.DAY;
const points = Number(option("--points", "500")); // the CLI default: the window over 500 points
const step = Math.max(1000, Math.ceil((end - start) / points / 1000) * 1000);
const model = fleetModel({ instances, startMs: start, endMs: end, seed: 16, leakMiBPerHour: leak, leakAfterMs: start + (days / 2) * units.DAY });
let t0 = performance.now();
const lifetimes = [];
for (const member of model.members) {
  const steps = [];
  for (let t = start; t <= end; t += step) {
    const lifetime = lifetimeAt(member, t);
    steps.push({ time: t, lifetime, ...sampleAt(model, member, lifetime, t) });
  }
  const target = { job: model.job, instance: member.name };
  const series = (labels, pick) => ({ labels: { ...target, ...labels }, times: steps.map((s) => s.time), values: steps.map(pick) });
  const versions = [...new Set(steps.map((s) => s.lifetime.version))];
  lifetimes.push(...instanceLifetimes({
    instance: member.name, targetLabels: target,
    info: versions.map((version) => { const own = steps.filter((s) => s.lifetime.version === version); return { labels: { ...target, service: model.job, version }, times: own.map((s) => s.time), values: own.map(() => 1) }; }),
    startTime: [series({}, (s) => s.lifetime.start / 1000)],
    memory: MEMORY_TYPES.map((type, k) => series({ type }, (s) => s.memory[k])),
    sites: SITE_NAMES.map((site, k) => series({ site }, (s) => s.sites[k])),
    handles: HANDLE_TYPES.map((type, k) => series({ type }, (s) => s.handles[k])),
    limits: [series({ type: 'heap' }, () => HEAP_LIMIT), series({ type: 'container' }, () => CONTAINER_LIMIT)],
    samplingInterval: [series({}, () => INTERVAL_BYTES)],
  }, model.job, { warmupMs }));
}
const built = performance.now() - t0;
if (globalThis.gc) { gc(); console.log("heap after building lifetimes MB", Math.round(process.memoryUsage().heapUsed / 1e6)); }
t0 = performance.now();
const maxPoints = option("--max-points", undefined);
const verdict = judgeFleet(lifetimes, { source: "sim", ...(maxPoints ? { analyze: { maxPoints: Number(maxPoints) } } : {}) });
const judged = performance.now() - t0;
console.log(JSON.stringify({ instances, days, lifetimes: lifetimes.length, buildMs: Math.round(built), judgeMs: Math.round(judged), cpuMs: Math.round(process.cpuUsage().user / 1000), rssMB: Math.round(process.memoryUsage().rss / 1e6), verdict: verdict.verdict, reason: verdict.reason, suspects: verdict.suspects.map((s) => `${s.file}:${s.line} ${s.versions}`), process: Object.fromEntries(Object.entries(verdict.process).map(([k, v]) => [k, v.leak])), handles: verdict.handles.filter((h) => h.leak).map((h) => h.type), versions: verdict.fleet.versions.map((v) => `${v.name}:${v.verdict}`) }));
