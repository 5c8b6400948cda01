import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { runInNewContext } from 'node:vm';
import v8 from 'node:v8';
import client from 'prom-client';
import { AggregationTemporality, MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
// The public entry points, as users import them (self-reference through package.json's exports).
import { Frame, Snapshot, Traceback, ProcessMetrics, traceLeaks, type TickResult } from 'heapsleuth';
import { registerPrometheusMetrics } from 'heapsleuth/prometheus';
import { registerOpenTelemetryMetrics } from 'heapsleuth/opentelemetry';
import { siteLabel, topGrowingSites } from '../src/metrics/site-series.js';

const START = Date.parse('2024-05-01T12:00:00.000Z');
const KiB = 1024;

/**
 * Twenty sites; at tick `seq` the sites in `growing` have grown by (rank+1) * seq KiB
 * since tick 0, the others stay put. Built from real model objects and a real process sample.
 */
function tickOf(seq: number, growing: number[], processMetrics: ProcessMetrics): TickResult {
  const snapshotAt = (at: number) =>
    new Snapshot(
      Array.from({ length: 20 }, (_, site) => ({
        traceback: new Traceback([new Frame(`src/s${site}.ts`, site * 10, `grow${site}`), new Frame('src/main.ts', 1, 'main')]),
        size: 100 * KiB + (growing.includes(site) ? (site + 1) * at * KiB : 0),
        count: 10 + (growing.includes(site) ? at : 0),
      })),
      { runtime: 'node', takenAt: new Date(START + at * 60_000).toISOString(), samplingIntervalBytes: 65536, stackDepth: 64 },
    );
  const snapshot = snapshotAt(seq);
  return {
    seq,
    time: START + seq * 60_000,
    tickMs: 12.5,
    snapshot,
    process: processMetrics.sample(START + seq * 60_000),
    sinceStart: snapshot.compareTo(snapshotAt(0), 'lineno'),
    liveOnly: true,
  };
}

/** A stand-in for the Tracer: the same 'tick' events, driven by the test. */
class FakeTracer extends EventEmitter<{ tick: [TickResult] }> {
  readonly startTime = START;
}

function promSeries(text: string, name: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(name.length, at), Number(line.slice(at + 1)));
  }
  return series;
}

test('the top-K growing sites: exactly K, biggest growth first, labelled file:line function', () => {
  const tick = tickOf(4, [2, 5, 7, 11, 13, 17, 19], new ProcessMetrics());
  const sites = topGrowingSites(tick.sinceStart, 3, 4 * 60_000);
  assert.deepEqual(
    sites.map((site) => [site.site, site.liveBytes, site.growthBytes, site.growthBytesPerSecond]),
    [
      ['src/s19.ts:190 grow19', 100 * KiB + 80 * KiB, 80 * KiB, (80 * KiB) / 240],
      ['src/s17.ts:170 grow17', 100 * KiB + 72 * KiB, 72 * KiB, (72 * KiB) / 240],
      ['src/s13.ts:130 grow13', 100 * KiB + 56 * KiB, 56 * KiB, (56 * KiB) / 240],
    ],
  );
  const byFile = tick.snapshot.compareTo(tick.snapshot, 'filename').find((diff) => diff.traceback.blameFrame?.file === 'src/s0.ts')!;
  assert.equal(siteLabel(byFile), 'src/s0.ts', 'grouped by file, the label is the file');
});

test('prom-client: a real registry scrapes heapsleuth metrics beside the default ones, with exactly K site series', async () => {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const tracer = new FakeTracer();
  const processMetrics = new ProcessMetrics();
  const metrics = await registerPrometheusMetrics({ registry, tracer, topK: 5 });

  tracer.emit('tick', tickOf(1, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], processMetrics));
  tracer.emit('tick', tickOf(2, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], processMetrics));
  let text = await registry.metrics();
  assert.match(text, /^# TYPE heapsleuth_site_live_bytes gauge$/m);
  assert.match(text, /^# TYPE heapsleuth_tick_duration_seconds histogram$/m);
  assert.match(text, /^nodejs_heap_space_size_used_bytes\{space="old"\} \d+/m, "prom-client's default metrics are still there");
  const live = promSeries(text, 'heapsleuth_site_live_bytes');
  assert.deepEqual([...live.keys()], [5, 6, 7, 8, 9].reverse().map((i) => `{site="src/s${i}.ts:${i * 10} grow${i}"}`));
  assert.equal(live.get('{site="src/s9.ts:90 grow9"}'), 100 * KiB + 20 * KiB);
  assert.equal(promSeries(text, 'heapsleuth_site_growth_bytes').get('{site="src/s9.ts:90 grow9"}'), 20 * KiB);
  assert.equal(promSeries(text, 'heapsleuth_site_growth_rate_bytes_per_second').get('{site="src/s9.ts:90 grow9"}'), (20 * KiB) / 120);
  assert.equal(promSeries(text, 'heapsleuth_tick_duration_seconds_count').get(''), 2);
  assert.equal(promSeries(text, 'heapsleuth_tick_duration_seconds_sum').get(''), 0.025);
  assert.equal(promSeries(text, 'heapsleuth_sampled_live_bytes').get(''), 20 * 100 * KiB + (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10) * 2 * KiB);
  const memory = promSeries(text, 'heapsleuth_process_memory_bytes');
  assert.deepEqual([...memory.keys()], ['{type="rss"}', '{type="heap_total"}', '{type="heap_used"}', '{type="external"}', '{type="array_buffers"}']);
  assert.ok(memory.get('{type="rss"}')! > 10_000_000);
  assert.ok(promSeries(text, 'heapsleuth_heap_space_used_bytes').has('{space="old_space"}'));

  // Other sites take the lead: the old label sets are gone, still exactly K series.
  tracer.emit('tick', tickOf(3, [10, 11, 12, 13, 14, 15], processMetrics));
  text = await registry.metrics();
  assert.deepEqual(
    [...promSeries(text, 'heapsleuth_site_live_bytes').keys()],
    [15, 14, 13, 12, 11].map((i) => `{site="src/s${i}.ts:${i * 10} grow${i}"}`),
  );

  metrics.stop();
  tracer.emit('tick', tickOf(4, [1], processMetrics));
  text = await registry.metrics();
  assert.doesNotMatch(text, /heapsleuth_/, 'stop() unregisters everything');
  assert.equal(tracer.listenerCount('tick'), 0);
  assert.match(text, /^nodejs_heap_space_size_used_bytes/m);
});

test('prom-client with a real tracer, and without any: process memory always, site metrics only with a tracer', async () => {
  const bare = new client.Registry();
  const processOnly = await registerPrometheusMetrics({ registry: bare });
  const bareText = await bare.metrics();
  assert.ok(promSeries(bareText, 'heapsleuth_process_memory_bytes').get('{type="heap_used"}')! > 1_000_000);
  assert.doesNotMatch(bareText, /heapsleuth_site_live_bytes/);
  processOnly.stop();

  const registry = new client.Registry();
  const tracer = traceLeaks({ interval: '1h', record: false, logger: false, signal: false, samplingIntervalBytes: 16384 });
  try {
    const metrics = await registerPrometheusMetrics({ registry, tracer, topK: 3, prefix: 'app_heapsleuth_' });
    const keep: object[] = [];
    for (let i = 0; i < 20000; i++) keep.push({ i, data: new Array(16).fill(i) });
    assert.ok(tracer.tick());
    const text = await registry.metrics();
    assert.ok(keep.length > 0);
    assert.equal(promSeries(text, 'app_heapsleuth_tick_duration_seconds_count').get(''), 1);
    assert.ok(promSeries(text, 'app_heapsleuth_sampled_live_bytes').get('')! > 1_000_000);
    const sites = promSeries(text, 'app_heapsleuth_site_live_bytes');
    assert.ok(sites.size >= 1 && sites.size <= 3, `${sites.size} site series`);
    metrics.stop();
  } finally {
    await tracer.stop();
  }
});

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

async function collectMetrics(reader: TestReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  assert.deepEqual(errors, []);
  return new Map(resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).map((metric) => [metric.descriptor.name, metric]));
}

test('OpenTelemetry: in-memory readers see semantic-convention names and units and exactly K site series', async () => {
  const reader = new TestReader(); // cumulative, the default
  // The JS SDK keeps reporting attribute sets an observable callback no longer observes under
  // cumulative temporality; with delta only the current top K are reported (see docs/metrics.md).
  const deltaReader = new TestReader({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
  const provider = new MeterProvider({ readers: [reader, deltaReader] });
  const tracer = new FakeTracer();
  const processMetrics = new ProcessMetrics();
  const instruments = registerOpenTelemetryMetrics({ meter: provider.getMeter('heapsleuth-test'), tracer, topK: 4 });

  // A real GC, so that v8js.gc.duration has a point to report.
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  let metrics = await collectMetrics(reader);
  for (let i = 0; i < 100 && !metrics.has('v8js.gc.duration'); i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
    metrics = await collectMetrics(reader);
  }

  tracer.emit('tick', tickOf(2, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], processMetrics));
  metrics = await collectMetrics(reader);
  const units = Object.fromEntries([...metrics.values()].map((metric) => [metric.descriptor.name, metric.descriptor.unit]));
  assert.deepEqual(units, {
    'v8js.memory.heap.used': 'By',
    'v8js.memory.heap.space.size': 'By',
    'process.memory.usage': 'By',
    'heapsleuth.memory.external': 'By',
    'heapsleuth.memory.array_buffers': 'By',
    'v8js.resource.active': '{resource}',
    'v8js.gc.duration': 's',
    'heapsleuth.site.live_bytes': 'By',
    'heapsleuth.site.growth': 'By',
    'heapsleuth.site.growth_rate': 'By/s',
    'heapsleuth.sampled.live_bytes': 'By',
    'heapsleuth.tick.duration': 's',
  });
  assert.deepEqual([...metrics.keys()].sort(), [...instruments.names].sort(), 'every instrument reported is listed in names');

  const heapUsed = metrics.get('v8js.memory.heap.used')!;
  assert.ok(heapUsed.dataPoints.some((point) => point.attributes['v8js.heap.space.name'] === 'old_space'));
  const gcTypes = new Set(metrics.get('v8js.gc.duration')!.dataPoints.map((point) => point.attributes['v8js.gc.type']));
  assert.ok(gcTypes.has('major'), `gc types seen: ${[...gcTypes].join(', ')}`);

  const siteValues = (data: MetricData) => data.dataPoints.map((point) => [point.attributes['heapsleuth.site'], point.value]);
  assert.deepEqual(siteValues(metrics.get('heapsleuth.site.live_bytes')!), [9, 8, 7, 6].map((i) => [`src/s${i}.ts:${i * 10} grow${i}`, 100 * KiB + (i + 1) * 2 * KiB]));

  // Other sites take the lead: still exactly K series, the old attribute sets are not reported.
  await collectMetrics(deltaReader);
  tracer.emit('tick', tickOf(3, [15, 16, 17, 18, 19], processMetrics));
  metrics = await collectMetrics(deltaReader);
  assert.deepEqual(
    metrics.get('heapsleuth.site.growth')!.dataPoints.map((point) => point.attributes['heapsleuth.site']),
    [19, 18, 17, 16].map((i) => `src/s${i}.ts:${i * 10} grow${i}`),
  );

  instruments.stop();
  assert.equal(tracer.listenerCount('tick'), 0);
  await provider.shutdown();
});
