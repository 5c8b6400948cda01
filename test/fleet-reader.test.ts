import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { PrometheusApi } from '../src/fleet/prometheus-api.js';
import { readFleet, type InstanceSeries } from '../src/fleet/read-fleet.js';
import { cliPath, runNode } from './child-process.js';

/**
 * The fleet reader keeps several range queries in flight. Against a server that speaks the
 * Prometheus query API (answers computed from the query, after a random delay so that they
 * come back out of order), it must yield exactly what reading one query after the other
 * yields, and a failing query in the middle of the reading (an error answer, or Prometheus
 * going away mid-answer) must end `heapsleuth analyze` with one line and exit 2.
 */

const INSTANCES = Array.from({ length: 45 }, (_, i) => (i % 9 === 0 ? `10.0.0.${i}:9464` : `checkout-${String(i).padStart(2, '0')}:9464`));
const END = Date.UTC(2026, 10, 20, 12);
const START = END - 6 * 3_600_000;
const STEP_MS = 60_000;

interface FakeOptions {
  /** Answer the n-th query_range (1-based) with this instead of the data. */
  fail?: { query: number; how: 'error' | 'go-away' };
}

interface Fake {
  url: string;
  queries: () => number;
  close: () => Promise<void>;
}

test('the pipelined reader yields what one query after the other yields, in the same order', async () => {
  const fake = await fakePrometheus();
  try {
    const read = async (options: { instancesPerQuery: number; queriesInFlight: number }) => {
      const found: InstanceSeries[] = [];
      for await (const instance of readFleet(new PrometheusApi(fake.url), { job: 'checkout', start: START, end: END, stepMs: STEP_MS }, options)) found.push(instance);
      return found;
    };
    const sequential = await read({ instancesPerQuery: 4, queriesInFlight: 1 });
    assert.deepEqual(
      sequential.map((instance) => instance.instance),
      [...INSTANCES].sort(),
    );
    assert.ok(sequential.every((instance) => instance.sites.length === 3 && instance.memory.length === 5 && instance.info.length === 2));
    for (const queriesInFlight of [2, 5, 16]) assert.deepEqual(await read({ instancesPerQuery: 4, queriesInFlight }), sequential, `${queriesInFlight} in flight`);
    assert.deepEqual(await read({ instancesPerQuery: 20, queriesInFlight: 3 }), sequential, 'batches of 20');
  } finally {
    await fake.close();
  }
});

test('Prometheus answering an error in the middle of the reading: one line, exit 2, the other queries cancelled', async () => {
  const fake = await fakePrometheus({ fail: { query: 10, how: 'error' } });
  try {
    const result = await analyze(fake.url);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /^heapsleuth: analyze: Prometheus at http:\/\/127\.0\.0\.1:\d+ refused the query: query processing would load too many samples into memory/);
    assert.equal(result.stdout, '');
    // The reading stopped at the failure: the 45 instances' 21 queries were not all sent.
    assert.ok(fake.queries() < 21, `${fake.queries()} queries sent`);
  } finally {
    await fake.close();
  }
});

test('Prometheus going away in the middle of an answer: one line, exit 2, no unhandled rejection', async () => {
  const fake = await fakePrometheus({ fail: { query: 9, how: 'go-away' } });
  try {
    const result = await analyze(fake.url);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /^heapsleuth: analyze: (Prometheus at http:\/\/127\.0\.0\.1:\d+ broke off its answer on \/api\/v1\/query_range|cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+): [A-Z_]+/);
    assert.doesNotMatch(result.stderr, /Unhandled|    at /);
  } finally {
    await fake.close();
  }
});

function analyze(url: string) {
  return runNode([cliPath, 'analyze', '--prometheus', url, '--job', 'checkout', '--since', '6h', '--until', new Date(END).toISOString(), '--step', '1m'], {
    env: { NO_COLOR: '1' },
  });
}

/** A server speaking the two calls of the Prometheus API the reader uses, for job `checkout`. */
async function fakePrometheus(options: FakeOptions = {}): Promise<Fake> {
  let queries = 0;
  let gone = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/v1/series') {
      const match = url.searchParams.get('match[]') ?? '';
      const found = match.includes('job="checkout"') ? INSTANCES.map((instance) => ({ __name__: 'heapsleuth_process_memory_bytes', job: 'checkout', instance, type: 'rss' })) : [];
      return answer(response, 200, { status: 'success', data: found });
    }
    if (url.pathname !== '/api/v1/query_range') return answer(response, 404, { status: 'error', error: 'not found' });
    const number = ++queries;
    const body = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: matrix(url.searchParams) } });
    setTimeout(() => {
      if (options.fail?.query === number && options.fail.how === 'error') {
        return answer(response, 422, { status: 'error', errorType: 'execution', error: 'query processing would load too many samples into memory in query execution' });
      }
      if (options.fail?.query === number && options.fail.how === 'go-away') {
        // Half an answer, then Prometheus is gone: this connection and every later one.
        gone = true;
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
        response.write(body.slice(0, body.length >> 1));
        server.close();
        setImmediate(() => sockets.forEach((socket) => socket.destroy()));
        return;
      }
      if (gone) return request.socket.destroy();
      answer(response, 200, body);
    }, Math.random() * 30);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    queries: () => queries,
    close: () =>
      new Promise((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
        if (gone) resolve();
      }),
  };
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** The series a range query asks for: metric by its name, instances by the `instance=~"..."` alternatives. */
function matrix(params: URLSearchParams): { metric: Record<string, string>; values: [number, string][] }[] {
  const query = params.get('query') ?? '';
  const name = /(heapsleuth_[a-z_]+)\{/.exec(query)?.[1] ?? '';
  const alternatives = /instance=~("(?:[^"\\]|\\.)*")/.exec(query)?.[1];
  const instances = alternatives ? (JSON.parse(alternatives) as string).split('|').map((literal) => literal.replace(/\\(.)/g, '$1')) : [];
  const start = Number(params.get('start')) * 1000;
  const end = Number(params.get('end')) * 1000;
  const step = Number(params.get('step')) * 1000;
  const result: { metric: Record<string, string>; values: [number, string][] }[] = [];
  for (const instance of instances.filter((candidate) => INSTANCES.includes(candidate))) {
    const index = INSTANCES.indexOf(instance);
    const restart = START + (2 + (index % 3)) * 3_600_000;
    const series = (labels: Record<string, string>, value: (time: number) => number | undefined) => {
      const values: [number, string][] = [];
      for (let time = start; time <= end; time += step) {
        const v = value(time);
        if (v !== undefined) values.push([time / 1000, String(v)]);
      }
      if (values.length > 0) result.push({ metric: { ...(query.startsWith('last_over_time') ? { __name__: name } : {}), job: 'checkout', instance, ...labels }, values });
    };
    const minutes = (time: number) => (time - (time < restart ? START - 3_600_000 : restart)) / 60_000;
    switch (name) {
      case 'heapsleuth_info':
        series({ service: 'checkout', version: '1.0.0' }, (time) => (time < restart ? 1 : undefined));
        series({ service: 'checkout', version: '1.1.0' }, (time) => (time >= restart ? 1 : undefined));
        break;
      case 'heapsleuth_process_start_time_seconds':
        series({}, (time) => (time < restart ? START / 1000 - 3600 : restart / 1000));
        break;
      case 'heapsleuth_process_memory_bytes':
        ['rss', 'heap_total', 'heap_used', 'external', 'array_buffers'].forEach((type, k) => series({ type }, (time) => 2e8 / (k + 1) + ((index * 7919 + time / 60_000) % 97) * 1e4));
        break;
      case 'heapsleuth_site_live_bytes':
        ['src/a.ts:1 a', 'src/b.ts:2 b', 'src/c.ts:3 c'].forEach((site, k) => series({ site }, (time) => (k === 2 && minutes(time) < 30 ? undefined : 1e6 * (k + 1) + ((index + time / 60_000) % 13) * 1e3)));
        break;
      case 'heapsleuth_active_resources':
        series({ type: 'Timeout' }, (time) => 10 + (Math.floor(time / 60_000) % 5));
        break;
      case 'heapsleuth_memory_limit_bytes':
        series({ type: 'container' }, () => 512 * 1024 * 1024);
        break;
      case 'heapsleuth_sampling_interval_bytes':
        series({}, () => 262_144);
        break;
    }
  }
  return result;
}

test('range query answers: the point scanner reads what JSON.parse reads, and leaves any other shape to it', async () => {
  const { parseAnswer } = await import('../src/fleet/matrix-json.js');
  const series = (labels: Record<string, string>, points: [number, string][]) => ({ metric: labels, values: points });
  const answer = {
    status: 'success',
    warnings: ['partial answer'],
    data: {
      resultType: 'matrix',
      result: [
        series({ instance: 'a:1', site: 'src/x.ts:1 "values":[[1,"2"]]' }, [
          [1795766400, '2410756'],
          [1795766746.5, '2128935.5'],
          [1795767092, '1.5e+06'],
          [1795767438, 'NaN'],
          [1795767784, '+Inf'],
          [1795768130, '-Inf'],
        ]),
        series({ instance: 'b:1', values: 'a label named values' }, [[1795766400, '-0.25']]),
        series({}, []),
      ],
    },
  };
  const pointsOf = (parsed: unknown) =>
    (parsed as { data: { result: { metric: unknown; values: unknown }[] } }).data.result.map(({ metric, values }) => {
      const points = Array.isArray(values)
        ? { times: values.map(([time]: [number, string]) => time), values: values.map(([, value]: [number, string]) => Number(value)) }
        : (values as { times: number[]; values: number[] });
      return { metric, times: points.times, values: points.values.map(String) };
    });
  for (const text of [JSON.stringify(answer), JSON.stringify(answer, null, 1), JSON.stringify(answer).replace('[1795766400,"2410756"]', '[1795766400, "2410756"]')]) {
    const scanned = parseAnswer(text);
    assert.deepEqual(pointsOf(scanned), pointsOf(JSON.parse(text)));
    assert.deepEqual((scanned as { warnings: string[] }).warnings, ['partial answer']);
  }
  assert.equal(pointsOf(parseAnswer(JSON.stringify(answer)))[0]!.times.length, 6);
  assert.throws(() => parseAnswer('{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"]]}]'), SyntaxError);
});
