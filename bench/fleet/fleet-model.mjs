// A simulated fleet of one Node service, as heapsleuth's agent would export it to Prometheus
// (docs/metrics.md): deploys every 1-3 days with a new version (a rolling restart over 30
// min), caches that warm up after each start, traffic with a daily cycle that RSS, the heap
// and the handles follow, the agent's sampling noise, and optionally a leak that enters
// with one deploy and stays in every later version. Values are a pure function of
// (instance, series, time), so the scale bench can write them family by family, in any order,
// without holding them, and the comparison can read the same fleets in memory.

const MiB = 1024 * 1024;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const INTERVAL_BYTES = 256 * 1024;
export const CONTAINER_LIMIT = 512 * MiB;
export const HEAP_LIMIT = 2096 * MiB;
export const LEAK_SITE = 'src/sessions.ts:12 remember';

/**
 * The ~10 sites the agent exports per instance: bytes = base + load-following + warm-up
 * after the process starts (time constant in hours).
 */
const SITES = [
  { site: 'src/cache/product-cache.ts:42 remember', base: 0.5, load: 0, warm: 48, tau: 2 },
  { site: 'src/routes/orders.ts:88 handleOrder', base: 0.5, load: 6, warm: 0, tau: 1 },
  { site: 'src/db/pool.ts:17 connect', base: 4, load: 0, warm: 0, tau: 1 },
  { site: 'node_modules/express/lib/router/layer.js:95 handle', base: 1, load: 3, warm: 0, tau: 1 },
  { site: 'src/templates/render.ts:30 compile', base: 0.2, load: 0, warm: 8, tau: 0.5 },
  { site: 'node_modules/undici/lib/dispatcher/client.js:120 connect', base: 0.3, load: 2, warm: 0, tau: 1 },
  { site: 'src/auth/tokens.ts:55 verify', base: 1.5, load: 0.5, warm: 0, tau: 1 },
  { site: 'src/search/index.ts:200 build', base: 12, load: 0, warm: 0, tau: 1 },
  { site: LEAK_SITE, base: 0.2, load: 2, warm: 0, tau: 1 },
  { site: 'src/metrics/histogram.ts:21 observe', base: 0.5, load: 0, warm: 0.3, tau: 6 },
];
export const SITE_NAMES = SITES.map((s) => s.site);
export const MEMORY_TYPES = ['rss', 'heap_total', 'heap_used', 'external', 'array_buffers'];
export const HANDLE_TYPES = ['Timeout', 'TCPSocketWrap', 'FSReqCallback'];

/** A deterministic uniform in [0, 1) from three integers. */
function hash3(a, b, c) {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35) ^ Math.imul(c ^ 0x27d4eb2f, 0x165667b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

/** A deterministic standard normal-ish (sum of 4 uniforms, variance 1). */
function noise(a, b, c) {
  return (hash3(a, b, c) + hash3(a, b + 7919, c) + hash3(a, b + 15881, c) + hash3(a, b + 23879, c) - 2) * Math.sqrt(3);
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A fleet over [startMs, endMs].
 * @param {{ instances: number, startMs: number, endMs: number, seed?: number, job?: string,
 *   leakMiBPerHour?: number, leakAfterMs?: number }} options leakAfterMs: the first deploy at or
 *   after it brings the leak (default: none).
 */
export function fleetModel(options) {
  const { instances, startMs, endMs, seed = 1, job = 'checkout', leakMiBPerHour = 0 } = options;
  const random = mulberry32(seed);
  // Fleet-wide deploys: the first processes started up to a day before the window.
  const deploys = [];
  for (let t = startMs - random() * DAY, k = 0; t < endMs; t += DAY + random() * 2 * DAY, k++) deploys.push({ time: t, version: `1.${k}.0` });
  const leakDeploy = options.leakAfterMs === undefined || leakMiBPerHour <= 0 ? undefined : deploys.find((d) => d.time >= options.leakAfterMs);
  const members = [];
  for (let i = 0; i < instances; i++) {
    const delay = random() * 30 * 60_000; // a rolling restart
    const lifetimes = deploys.map((deploy, k) => ({
      start: Math.round((deploy.time + delay) / 1000) * 1000,
      end: Infinity,
      version: deploy.version,
      leaking: leakDeploy !== undefined && deploy.time >= leakDeploy.time,
    }));
    lifetimes.forEach((lifetime, k) => (lifetime.end = lifetimes[k + 1]?.start ?? Infinity));
    members.push({
      index: i,
      name: `${job}-${String(i).padStart(3, '0')}:9464`,
      phase: (random() - 0.5) * 0.3, // instances in a few zones: the daily cycle is shifted a little
      lifetimes: lifetimes.filter((l) => l.end > startMs && l.start <= endMs),
    });
  }
  return { job, startMs, endMs, deploys, leakDeploy, members, leakBytesPerHour: leakMiBPerHour * MiB };
}

/** The lifetime of a member at a time (undefined before its first start). */
export function lifetimeAt(member, time) {
  let found;
  for (const lifetime of member.lifetimes) if (lifetime.start <= time) found = lifetime;
  return found;
}

/** Traffic in [0, 1]: low at 04:00 UTC, high at 16:00. */
function load(member, time) {
  return 0.5 - 0.5 * Math.cos(2 * Math.PI * ((time / DAY - 4 / 24) + member.phase / (2 * Math.PI)));
}

/**
 * Everything an agent would export at one minute, in bytes / counts.
 * `t` is a time in ms; `tick` an integer that names the minute (for noise).
 */
export function sampleAt(model, member, lifetime, time) {
  const tick = Math.round(time / 60_000);
  const m = member.index;
  const age = (time - lifetime.start) / HOUR;
  const traffic = load(member, time) * (1 + 0.1 * noise(m, 1, tick));
  const sites = new Array(SITES.length);
  let siteSum = 0;
  for (let s = 0; s < SITES.length; s++) {
    const spec = SITES[s];
    let bytes = (spec.base + spec.load * traffic + spec.warm * (1 - Math.exp(-age / spec.tau))) * MiB;
    if (spec.site === LEAK_SITE && lifetime.leaking) bytes += (model.leakBytesPerHour * age) ;
    bytes = Math.max(0, bytes);
    siteSum += bytes;
    // The agent's estimate: sampled allocations, sd ~ sqrt(bytes x interval).
    sites[s] = Math.max(0, bytes + noise(m, 100 + s, tick) * Math.sqrt(bytes * INTERVAL_BYTES));
  }
  const garbage = hash3(m, 2, tick) * 20 * MiB * (0.3 + traffic);
  const heapUsed = 30 * MiB + siteSum + garbage;
  const heapTotal = heapUsed * 1.25 + 8 * MiB;
  const external = (3 + 2 * traffic + 0.3 * noise(m, 3, tick)) * MiB;
  const arrayBuffers = (1 + traffic * hash3(m, 4, tick)) * MiB;
  const rss = heapTotal + external + (60 + 10 * (1 - Math.exp(-age / 3)) + 2 * noise(m, 5, tick)) * MiB;
  return {
    memory: [rss, heapTotal, heapUsed, external, arrayBuffers],
    sites,
    handles: [
      Math.max(0, Math.round(12 + 20 * traffic + 3 * noise(m, 6, tick))),
      Math.max(0, Math.round(5 + 40 * traffic + 4 * noise(m, 7, tick))),
      Math.floor(hash3(m, 8, tick) * 4),
    ],
  };
}

export const units = { MiB, HOUR, DAY };
