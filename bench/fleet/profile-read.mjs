// Where `analyze --prometheus` spends its time, in process, on a running Prometheus:
// waiting for Prometheus (request sent to last byte received), decoding answers, rebuilding
// lifetimes (instanceLifetimes), the verdict (judgeFleet), and the heap after each phase.
// The phases overlap when the reader pipelines queries: then "waiting" is time a query was
// in flight, not time the process sat idle, and wall time is less than the sum.
//
//   npm run build
//   node bench/fleet/scale.mjs --instances 200 --days 2 --data /tmp/fleet   # loads and keeps the fleet
//   prometheus --storage.tsdb.path=/tmp/fleet/200x2d-leak1/data ... &        # as scale.mjs starts it
//   node --expose-gc bench/fleet/profile-read.mjs --prometheus http://127.0.0.1:PORT --since 48h --until 2026-11-29T08:00:00Z
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const dist = (path) => import(join(repoRoot, 'dist/src', path));
const { PrometheusApi } = await dist('fleet/prometheus-api.js');
const { readFleet } = await dist('fleet/read-fleet.js');
const { instanceLifetimes } = await dist('fleet/fleet-lifetimes.js');
const { judgeFleet } = await dist('fleet/fleet-verdict.js');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const url = option('--prometheus');
const job = option('--job', 'checkout');
const end = Date.parse(option('--until'));
const start = end - Number.parseFloat(option('--since', '48h')) * 3_600_000;
const stepMs = Math.max(1000, Math.ceil((end - start) / 500 / 1000) * 1000);
// Reader settings to try (defaults: read-fleet.ts).
const readOptions = {
  ...(option('--per-query') ? { instancesPerQuery: Number(option('--per-query')) } : {}),
  ...(option('--in-flight') ? { queriesInFlight: Number(option('--in-flight')) } : {}),
};

const totals = { waitMs: 0, requests: 0, bytes: 0, decodeMs: 0, lifetimesMs: 0, judgeMs: 0 };
const timedFetch = async (input, init) => {
  const started = performance.now();
  const response = await fetch(input, init);
  const text = await response.text();
  totals.waitMs += performance.now() - started;
  const url = new URL(input);
  answered.set(`${url.pathname.slice(1)}?${url.search.slice(1)}`, performance.now());
  totals.requests++;
  totals.bytes += text.length;
  return new Response(text, { status: response.status, headers: response.headers });
};
// Decoding: from the last byte of an answer to its parsed series (JSON parsing and point
// scanning in PrometheusApi's request method), per request URL.
const answered = new Map();
const request = PrometheusApi.prototype.get;
PrometheusApi.prototype.get = async function (path, params, ...rest) {
  const answer = await request.call(this, path, params, ...rest);
  const key = `${path}?${params}`;
  if (answered.has(key)) totals.decodeMs += performance.now() - answered.get(key);
  answered.delete(key);
  return answer;
};
const heapMB = () => {
  globalThis.gc?.();
  return Math.round(process.memoryUsage().heapUsed / 1e6);
};

const wallStarted = performance.now();
const api = new PrometheusApi(url, timedFetch);
const lifetimes = [];
for await (const instance of readFleet(api, { job, start, end, stepMs }, readOptions)) {
  const started = performance.now();
  lifetimes.push(...instanceLifetimes(instance, job, {}));
  totals.lifetimesMs += performance.now() - started;
}
const readMs = performance.now() - wallStarted;
const peakRssAfterReadMB = Math.round(process.resourceUsage().maxRSS / 1000);
const heapAfterRead = heapMB();
const judgeStarted = performance.now();
const verdict = judgeFleet(lifetimes, { source: url });
totals.judgeMs = performance.now() - judgeStarted;
const heapAfterJudge = heapMB();
console.log(
  JSON.stringify({
    ...readOptions,
    lifetimes: lifetimes.length,
    verdict: verdict.verdict,
    requests: totals.requests,
    answerMB: Math.round(totals.bytes / 1e6),
    readWallS: round(readMs),
    waitingForPrometheusS: round(totals.waitMs),
    decodingS: round(totals.decodeMs),
    rebuildingLifetimesS: round(totals.lifetimesMs),
    judgingS: round(totals.judgeMs),
    totalWallS: round(performance.now() - wallStarted),
    peakRssAfterReadMB,
    heapAfterReadMB: heapAfterRead,
    heapAfterJudgeMB: heapAfterJudge,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1000),
  }),
);

function round(ms) {
  return Math.round(ms / 100) / 10;
}
