// What the handle creation-site hook costs a process while it is on: an HTTP server on
// loopback, hit by a keep-alive client, with a timer per request (cleared) and promises,
// measured in requests/s with the hook off and on, alternating rounds in one process.
// Run: npm run build && node bench/handle-sites/cost.mjs [rounds] [secondsPerRound]
import { createServer } from 'node:http';
import { keepAliveLoad } from '../lib/keep-alive-load.mjs';
import { HandleSiteTracker } from '../../dist/src/agent/handle-sites.js';

const rounds = Number(process.argv[2] ?? 4);
const seconds = Number(process.argv[3] ?? 3);

const server = createServer(async (req, res) => {
  const timer = setTimeout(() => {}, 10_000);
  const body = await Promise.resolve(JSON.stringify({ ok: true, at: Date.now() }));
  clearTimeout(timer);
  res.end(body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const load = keepAliveLoad(port);
const measure = (ms) => load.requestsPerSecond(ms);

/** A tracker that watches Timeout: fed a growing count four times, as four ticks would. */
function trackerOn() {
  const tracker = new HandleSiteTracker();
  for (let i = 1; i <= 4; i++) tracker.observe({ Timeout: i * 10 });
  if (!tracker.active) throw new Error('the hook did not turn on');
  return tracker;
}

await measure(1000); // warm-up
const off = [];
const on = [];
for (let round = 0; round < rounds; round++) {
  off.push(await measure(seconds * 1000));
  const tracker = trackerOn();
  on.push(await measure(seconds * 1000));
  tracker.close();
}
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const ratio = median(on) / median(off);
console.log(JSON.stringify({ rounds, seconds, offRps: Math.round(median(off)), onRps: Math.round(median(on)), onOverOff: Math.round(ratio * 1000) / 1000 }));
load.close();
server.close();
