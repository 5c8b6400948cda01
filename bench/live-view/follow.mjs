// What `run`'s live view and retainer trigger pay to follow a recording while it is written:
// the whole file parsed again at every tick (main before 2026-11-29) against following it
// like `tail -f` (src/cli/growing-recordings.ts), side by side in one process on the same
// appended ticks. Prints the CPU time of each over a run of N ticks and their ratio.
//   npm run build && node bench/live-view/follow.mjs [ticks,ticks,...] [--stacks N]
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GrowingRecordings } from '../../dist/src/cli/growing-recordings.js';
import { parseRecording, RecordingEncoder } from '../../dist/src/formats/recording.js';
import { Snapshot } from '../../dist/src/model/snapshot.js';
import { Frame, Traceback } from '../../dist/src/model/index.js';

const args = process.argv.slice(2);
const stackCount = args.includes('--stacks') ? Number(args[args.indexOf('--stacks') + 1]) : 300;
const tickCounts = (args.find((arg) => /^\d+(,\d+)*$/.test(arg)) ?? '300,1200').split(',').map(Number);

const stacks = Array.from({ length: stackCount }, (_, i) => new Traceback([new Frame(`src/module-${i % 40}.js`, 10 + i, `work${i}`), new Frame('src/server.js', 7, 'handle')]));
const metadata = { runtime: 'node', takenAt: '', samplingIntervalBytes: 65536, stackDepth: 64 };

/** The lines of a recording of `ticks` ticks, as the agent appends them: header first, then one sample a tick. */
function ticksOf(ticks) {
  const encoder = new RecordingEncoder();
  const lines = [encoder.encodeHeader({ runtime: 'node', runtimeVersion: 'v20', pid: 1, hostname: 'h', service: 'bench', argv: [], cwd: '/', startTime: new Date(0).toISOString(), sampling: { sampler: 'inspector', intervalBytes: 65536, stackDepth: 64 }, limits: {}, agent: { name: 'heapsleuth', version: '0' } })];
  for (let t = 0; t < ticks; t++) {
    const traces = stacks.map((traceback, i) => ({ traceback, size: 65536 * (1 + ((t * (i + 1)) % 7)) + (i === 3 ? 65536 * t : 0), count: 1 + ((t * (i + 1)) % 7) + (i === 3 ? t : 0) }));
    lines.push(encoder.encodeSample(new Snapshot(traces, metadata), { time: t * 3000, memory: { rss: 1e8, heapTotal: 5e7, heapUsed: 4e7, external: 0, arrayBuffers: 0 } }));
    encoder.commit();
  }
  return lines;
}

function cpuMs(work) {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** Appends the ticks one by one and looks after each, the way `run` does. */
function follow(lines, look) {
  const dir = mkdtempSync(join(tmpdir(), 'heapsleuth-bench-follow-'));
  const path = join(dir, 'app.ndjson');
  writeFileSync(path, lines[0]);
  const lookAt = look(dir, path);
  let ms = 0;
  for (const line of lines.slice(1)) {
    appendFileSync(path, line);
    ms += cpuMs(lookAt);
  }
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

const wholeFile = (dir, path) => () => parseRecording(readFileSync(path, 'utf8'), 'app.ndjson');
const tail = (dir) => {
  const growing = new GrowingRecordings(dir);
  return () => growing.read();
};

console.log(`| ticks | stacks | file | whole file at every tick: CPU s | followed: CPU s | ratio |`);
console.log(`|---|---|---|---|---|---|`);
for (const ticks of tickCounts) {
  const lines = ticksOf(ticks);
  const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
  const whole = follow(lines, wholeFile);
  const followed = follow(lines, tail);
  console.log(`| ${ticks} | ${stackCount} | ${(bytes / 1048576).toFixed(1)} MiB | ${(whole / 1000).toFixed(2)} | ${(followed / 1000).toFixed(2)} | ${(whole / followed).toFixed(0)}x |`);
}
