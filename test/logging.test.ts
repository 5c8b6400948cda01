import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { traceLeaks } from '../src/index.js';

/** A pino logger whose JSON lines are collected in memory. */
function collectingPino() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ name: 'checkout' }, sink), lines };
}

const kept: object[] = [];
function growBasket(n: number): void {
  for (let i = 0; i < n; i++) kept.push({ item: `sku-${i}`, qty: i });
}

test("a service's own pino logger receives the tracer's events with their stable fields", async () => {
  const { logger, lines } = collectingPino();
  const tracer = traceLeaks({ interval: '1h', logger, record: false, top: 3, trace: 1, sampler: 'inspector', samplingIntervalBytes: 8192 });
  growBasket(50_000);
  tracer.tick();
  await tracer.stop();
  await new Promise((resolve) => setImmediate(resolve));

  const events = new Set(lines.map((line) => line['event']));
  for (const event of ['top_current', 'since_start', 'traceback', 'tick']) assert.ok(events.has(event), `no ${event} event`);
  const grower = lines.find((line) => line['event'] === 'since_start' && line['rank'] === 1 && (line['sizeDiff'] as number) > 0)!;
  assert.equal(grower['name'], 'checkout', "the service's logger, not ours");
  assert.equal(grower['level'], 30);
  assert.equal(grower['function'], 'growBasket');
  assert.equal(grower['file'], 'test/logging.test.ts', 'source-mapped to the TypeScript test');
  for (const field of ['seq', 'rank', 'file', 'line', 'function', 'keyType', 'size', 'sizeDiff', 'count', 'countDiff']) assert.ok(field in grower, `no ${field}`);
  assert.match(String(grower['msg']), /^since_start #1: test\/logging\.test\.ts:\d+: size=/);
  const traceback = lines.find((line) => line['event'] === 'traceback')!;
  assert.ok(Array.isArray(traceback['traceback']) && (traceback['traceback'] as unknown[]).length > 0);
});
