// What recording where file descriptors are opened costs a process while it is on: a
// service that opens and closes files on every request (an HTTP server on loopback that
// serves a file through fs.promises.open and a read stream, and appends to an audit file
// with openSync/closeSync), hit by a keep-alive client; and the worst case, a loop doing
// nothing but openSync/closeSync. Measured with the fd recorder off and on, alternating
// rounds in one process; the recorder sees a tick every second, as the agent would.
// Run: npm run build && node bench/fd-sites/cost.mjs [rounds] [secondsPerRound]
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer } from 'node:http';
import { keepAliveLoad } from '../lib/keep-alive-load.mjs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FdSiteTracker } from '../../dist/src/agent/fd-sites.js';
import { LocationResolver } from '../../dist/src/agent/locations.js';

const rounds = Number(process.argv[2] ?? 10);
const seconds = Number(process.argv[3] ?? 2);

const folder = mkdtempSync(join(tmpdir(), 'heapsleuth-fd-cost-'));
const page = join(folder, 'page.html');
const audit = join(folder, 'audit.log');
writeFileSync(page, '<p>hello</p>'.repeat(200));

const server = createServer(async (req, res) => {
  const handle = await open(page, 'r');
  const { size } = await handle.stat();
  await handle.close();
  const fd = openSync(audit, 'a');
  writeSync(fd, `${req.url} ${size}\n`);
  closeSync(fd);
  createReadStream(page).pipe(res);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const load = keepAliveLoad(port);
const service = (ms) => load.requestsPerSecond(ms);

async function openClose(ms) {
  let done = 0;
  const until = Date.now() + ms;
  while (Date.now() < until) {
    for (let i = 0; i < 200; i++) closeSync(openSync(page, 'r'));
    done += 200;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return done / (ms / 1000);
}

/** The recorder, turned on by four ticks of a growing fd count (no handle growing), then ticked every second. */
function recorderOn() {
  const tracker = new FdSiteTracker((message) => console.error(message));
  let fds = 100;
  for (let i = 0; i < 4; i++) tracker.observe((fds += 10), {});
  if (!tracker.active) throw new Error('the fd recorder did not turn on');
  const resolver = new LocationResolver();
  const ticker = setInterval(() => {
    tracker.snapshot(resolver);
    tracker.observe((fds += 10), {});
  }, 1000);
  return { close: () => (clearInterval(ticker), tracker.close()) };
}

/**
 * Rounds of off and on back to back (which goes first alternates, so a drift of the machine
 * favours neither); the ratio is the median of the rounds' on/off ratios.
 */
async function compare(workload) {
  await workload(1000); // warm-up
  const off = [];
  const on = [];
  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    const measureOn = async () => {
      const recorder = recorderOn();
      try {
        return await workload(seconds * 1000);
      } finally {
        recorder.close();
      }
    };
    const first = round % 2 === 0 ? await workload(seconds * 1000) : await measureOn();
    const second = round % 2 === 0 ? await measureOn() : await workload(seconds * 1000);
    const [offRate, onRate] = round % 2 === 0 ? [first, second] : [second, first];
    off.push(offRate);
    on.push(onRate);
    ratios.push(onRate / offRate);
  }
  const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
  return { off: Math.round(median(off)), on: Math.round(median(on)), onOverOff: Math.round(median(ratios) * 1000) / 1000 };
}

const result = { rounds, seconds, service: await compare(service), openCloseLoop: await compare(openClose) };
console.log(JSON.stringify(result));
load.close();
server.close();
rmSync(folder, { recursive: true, force: true });
