// Writes a simulated fleet (fleet-model.mjs) as OpenMetrics text and loads it into a
// Prometheus data directory with `promtool tsdb create-blocks-from openmetrics`, one
// 2-hour file at a time: promtool cuts 2 h blocks and re-reads its whole input for each,
// so one file per block keeps both the bench's memory and promtool's work bounded.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CONTAINER_LIMIT, HANDLE_TYPES, HEAP_LIMIT, INTERVAL_BYTES, MEMORY_TYPES, SITE_NAMES, lifetimeAt, sampleAt } from './fleet-model.mjs';

const BLOCK_MS = 2 * 3_600_000;
const STEP_MS = 60_000;

/** Writes and loads [model.startMs, model.endMs]; returns { bytes, samples, files }. */
export function loadFleet(model, dataDir, { promtool = 'promtool', scratch } = {}) {
  let bytes = 0;
  let samples = 0;
  let files = 0;
  const first = Math.floor(model.startMs / BLOCK_MS) * BLOCK_MS;
  for (let blockStart = first; blockStart < model.endMs; blockStart += BLOCK_MS) {
    const from = Math.max(blockStart, Math.ceil(model.startMs / STEP_MS) * STEP_MS);
    const to = Math.min(blockStart + BLOCK_MS - STEP_MS, model.endMs);
    if (from > to) continue;
    const file = join(scratch, `block-${blockStart}.om`);
    samples += writeBlock(model, file, from, to);
    bytes += statSync(file).size;
    files++;
    const run = spawnSync(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, dataDir], { encoding: 'utf8' });
    rmSync(file, { force: true });
    if (run.status !== 0) throw new Error(`promtool failed on ${file}: ${run.stderr || run.error?.message}`);
  }
  return { bytes, samples, files };
}

/** One OpenMetrics file with every family of every member at each minute of [from, to]. */
function writeBlock(model, file, from, to) {
  const fd = openSync(file, 'w');
  let buffer = '';
  let samples = 0;
  const flush = (force) => {
    if (buffer.length > (force ? 0 : 1 << 20)) {
      writeSync(fd, buffer);
      buffer = '';
    }
  };
  const times = [];
  for (let t = from; t <= to; t += STEP_MS) times.push(t);
  // This block's values, member by member (a few MB at 200 members).
  const values = model.members.map((member) =>
    times.map((time) => {
      const lifetime = lifetimeAt(member, time);
      return { lifetime, sample: sampleAt(model, member, lifetime, time) };
    }),
  );
  const target = (member) => `job="${model.job}",instance="${member.name}"`;
  const family = (name, seriesOf) => {
    buffer += `# TYPE heapsleuth_${name} gauge\n`;
    for (const member of model.members) {
      for (const { labels, value } of seriesOf(member)) {
        const head = `heapsleuth_${name}{${target(member)}${labels}} `;
        values[member.index].forEach((point, i) => {
          const v = value(point);
          if (v === undefined) return;
          buffer += `${head}${v} ${times[i] / 1000}\n`;
          samples++;
        });
        flush(false);
      }
    }
  };
  family('info', (member) =>
    member.lifetimes
      .filter((lifetime) => lifetime.start <= to && lifetime.end > from)
      .map((lifetime) => ({
        labels: `,service="${model.job}",version="${lifetime.version}",runtime_version="v20.20.2",agent_version="0.1.0"`,
        value: (point) => (point.lifetime === lifetime ? 1 : undefined),
      })),
  );
  family('process_start_time_seconds', () => [{ labels: '', value: (point) => point.lifetime.start / 1000 }]);
  family('memory_limit_bytes', () => [
    { labels: ',type="heap"', value: () => HEAP_LIMIT },
    { labels: ',type="container"', value: () => CONTAINER_LIMIT },
  ]);
  family('sampling_interval_bytes', () => [{ labels: '', value: () => INTERVAL_BYTES }]);
  family('process_memory_bytes', () => MEMORY_TYPES.map((type, k) => ({ labels: `,type="${type}"`, value: (point) => Math.round(point.sample.memory[k]) })));
  family('site_live_bytes', () => SITE_NAMES.map((site, k) => ({ labels: `,site="${site}"`, value: (point) => Math.round(point.sample.sites[k]) })));
  family('active_resources', () => HANDLE_TYPES.map((type, k) => ({ labels: `,type="${type}"`, value: (point) => point.sample.handles[k] })));
  buffer += '# EOF\n';
  flush(true);
  closeSync(fd);
  return samples;
}
