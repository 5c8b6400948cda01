// What the two heap snapshots of `run --retainers` cost the program: the pause and the extra
// memory of v8.writeHeapSnapshot at a given heap size, and what the program runs like after
// its first snapshot (V8 then tracks object ids for the rest of the process's life).
//
//   node bench/snapshots/cost.mjs [MB of live heap, default 20,200]
//
// Each size runs in its own child process: it fills a session store (the objects of
// bench/snapshots/service.mjs) to about that much used heap, times a fixed churn workload
// (allocations that die young, a full GC), writes one snapshot (pause, peak RSS before and
// after, file size), then times the same churn again. Prints a table; raw numbers in
// bench/snapshots/cost-results.json.
import { spawnSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [sizesArg = '20,200'] = process.argv.slice(2).filter((arg) => /^\d+(,\d+)*$/.test(arg));

if (process.env.COST_CHILD) {
  const { writeHeapSnapshot, getHeapStatistics } = await import('node:v8');
  const target = Number(process.env.COST_CHILD) * 2 ** 20;
  class Session {
    constructor(id) {
      this.id = id;
      this.user = { name: `user-${id}`, roles: ['reader', id % 7 === 0 ? 'admin' : 'writer'] };
      this.history = [id, id + 1, id + 2];
      this.createdAt = Date.now();
    }
  }
  const store = new Map();
  for (let i = 0; getHeapStatistics().used_heap_size < target; i++) {
    for (let j = 0; j < 10_000; j++, i++) store.set(`s${i}`, new Session(i));
  }
  const churn = () => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    let kept = 0;
    for (let round = 0; round < 40; round++) {
      const batch = [];
      for (let i = 0; i < 50_000; i++) batch.push({ i, text: `item-${i}`, tags: [i, i + 1] });
      kept += batch.length;
    }
    globalThis.gc();
    const used = process.cpuUsage(cpu);
    return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000, kept };
  };
  churn(); // warm-up
  // Twice without a snapshot: how much the same churn varies on its own.
  const control = churn();
  const before = churn();
  const heapUsed = getHeapStatistics().used_heap_size;
  const rssBefore = process.memoryUsage.rss();
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  const file = join(process.env.COST_DIR, 'cost.heapsnapshot');
  const cpu = process.cpuUsage();
  const started = performance.now();
  writeHeapSnapshot(file);
  const pauseMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const peakAfter = process.resourceUsage().maxRSS * 1024;
  const { statSync } = await import('node:fs');
  const fileBytes = statSync(file).size;
  rmSync(file);
  const after = churn();
  process.stdout.write(JSON.stringify({ heapUsed, rssBefore, peakBefore, peakAfter, pauseMs, pauseCpuMs: (used.user + used.system) / 1000, fileBytes, control, before, after, sessions: store.size }));
  process.exit(0);
}

const rows = [];
for (const size of sizesArg.split(',').map(Number)) {
  const dir = mkdtempSync(join(tmpdir(), 'heapsleuth-snapshot-cost-'));
  const load = loadavg()[0];
  const child = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', fileURLToPath(import.meta.url)], {
    env: { ...process.env, COST_CHILD: String(size), COST_DIR: dir },
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
  });
  rmSync(dir, { recursive: true, force: true });
  if (child.status !== 0) {
    rows.push({ size, failed: `exit ${child.status ?? child.signal}: ${child.stderr.trim().split('\n').slice(-2).join(' | ')}` });
    continue;
  }
  rows.push({ size, load: [Number(load.toFixed(1)), Number(loadavg()[0].toFixed(1))], ...JSON.parse(child.stdout) });
}

const MiB = 2 ** 20;
const fmt = (value, digits = 0) => value.toFixed(digits);
const table = [
  '| used heap | snapshot file | pause (wall) | pause (CPU) | RSS before | peak RSS while writing | extra peak / used heap | churn CPU: after / before (control: before / before) | load avg |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map((row) =>
    row.failed
      ? `| ${row.size} MiB | failed: ${row.failed} | | | | | | | |`
      : `| ${fmt(row.heapUsed / MiB)} MiB | ${fmt(row.fileBytes / MiB)} MiB | ${fmt(row.pauseMs / 1000, 1)} s | ${fmt(row.pauseCpuMs / 1000, 1)} s | ${fmt(row.rssBefore / MiB)} MiB | ${fmt(row.peakAfter / MiB)} MiB | ${fmt((row.peakAfter - Math.max(row.peakBefore, row.rssBefore)) / row.heapUsed, 1)}x | ${fmt(row.after.cpuMs / row.before.cpuMs, 2)} (${fmt(row.before.cpuMs / row.control.cpuMs, 2)}) | ${row.load.join(' → ')} |`,
  ),
];
writeFileSync(join(here, 'cost-results.json'), JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2) + '\n');
console.log(table.join('\n'));
