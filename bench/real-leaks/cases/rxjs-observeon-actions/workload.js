// A metrics ingest service built on RxJS: an HTTP endpoint takes batches of data points and
// pushes each point into a Subject; one long-lived pipeline moves the work off the request path
// with observeOn(asyncScheduler), normalises the points, batches them per second with
// bufferTime and aggregates each batch for a dashboard. In rxjs 7.3.0 observeOn did
// `subscriber.add(scheduler.schedule(() => subscriber.next(value)))` and the executed action
// never removed itself, so the pipeline's subscriber kept one action (and the point it carried)
// per point for as long as the pipeline lived (ReactiveX/rxjs#6561, #6559; fixed in 7.3.1 by
// executeSchedule). RATE requests per second for DURATION_S seconds, then the subject completes
// and the server closes.
import http from 'node:http';
import { Subject, asyncScheduler, from } from 'rxjs';
import { bufferTime, filter, map, mergeMap, observeOn } from 'rxjs/operators';

const RATE = Number(process.env.RATE || 60);
const DURATION_S = Number(process.env.DURATION_S || 70);
const POINTS_PER_REQUEST = 20;

const points$ = new Subject();
const dashboard = []; // the last 120 one-second summaries

async function aggregate(batch) {
  const byName = new Map();
  for (const point of batch) {
    const entry = byName.get(point.name) ?? { name: point.name, count: 0, sum: 0, max: -Infinity, hosts: new Set() };
    entry.count++;
    entry.sum += point.value;
    entry.max = Math.max(entry.max, point.value);
    entry.hosts.add(point.tags.host);
    byName.set(point.name, entry);
  }
  const summary = [...byName.values()].map((e) => ({ name: e.name, count: e.count, mean: e.sum / e.count, max: e.max, hosts: e.hosts.size }));
  dashboard.push({ at: Date.now(), summary });
  if (dashboard.length > 120) dashboard.shift();
  return summary.length;
}

const pipeline = points$
  .pipe(
    observeOn(asyncScheduler),
    filter((point) => Number.isFinite(point.value)),
    map((point) => ({ ...point, name: point.name.toLowerCase().replace(/[^a-z0-9.]/g, '_'), value: point.unit === 'ms' ? point.value / 1000 : point.value })),
    bufferTime(1000),
    filter((batch) => batch.length > 0),
    mergeMap((batch) => from(aggregate(batch)), 2),
  )
  .subscribe({ error: (error) => console.error('pipeline failed', error) });

const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const { points } = JSON.parse(body);
    for (const point of points) points$.next(point);
    res.statusCode = 202;
    res.end(JSON.stringify({ accepted: points.length }));
  });
});

const names = ['http.server.duration', 'db.query.duration', 'queue.depth', 'cache.hits', 'cache.misses', 'gc.pause'];
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
let sent = 0;
function report(port) {
  const n = ++sent;
  const points = Array.from({ length: POINTS_PER_REQUEST }, (_, i) => ({
    name: names[(n + i) % names.length],
    value: ((n * 31 + i * 17) % 1000) + Math.random(),
    unit: i % 2 ? 'ms' : 'count',
    at: Date.now(),
    tags: { host: `web-${n % 12}`, region: ['eu-west-1', 'us-east-1'][i % 2], route: `/api/v1/items/${(n + i) % 50}` },
  }));
  const req = http.request({ port, host: '127.0.0.1', path: '/ingest', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
    res.resume();
  });
  req.on('error', () => {});
  req.end(JSON.stringify({ points }));
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const perTick = Math.max(1, Math.round(RATE / 20));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) report(port);
  }, 50);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(() => {
      points$.complete();
      pipeline.unsubscribe();
      agent.destroy();
      server.close();
    }, 1500);
  }, DURATION_S * 1000);
});
