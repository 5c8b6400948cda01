// Verifies real-leak cases without heapsleuth: runs the leaky and the fixed version side by
// side (`node --expose-gc -r lib/memprint.cjs workload.js`, a full GC before every memory
// print) and writes cases/<name>/verification.md with the growth of heapUsed, external and
// RSS per minute after warm-up. A case is kept only when the leaky version grows steadily and
// the fixed one stays flat.
//
//   node bench/real-leaks/verify.mjs --cases debug-instances,mem-maxage [--duration 70]
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { casesDir, ensureInstalled, listCases, prepareFixed, readCase } from './lib/cases.mjs';

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const durationS = Number(option('--duration') ?? 70);
const wanted = option('--cases')?.split(',').filter(Boolean) ?? listCases();
const warmupS = Number(option('--warmup') ?? 15);
const memprint = new URL('./lib/memprint.cjs', import.meta.url).pathname;

function runWorkload(dir, env) {
  return new Promise((resolve) => {
    const lines = [];
    const child = spawn(process.execPath, ['--expose-gc', '-r', memprint, 'workload.js'], {
      cwd: dir,
      env: { ...process.env, DURATION_S: String(durationS), ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let buffered = '';
    child.stderr.on('data', (chunk) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop();
      for (const line of parts) if (line.startsWith('MEM ')) lines.push(JSON.parse(line.slice(4)));
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), (durationS + 30) * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ samples: lines, code, signal });
    });
  });
}

/** Least-squares slope per minute of `key` over samples after warm-up (the last, taken at exit, left out), in MB (in units for counts). */
function slope(samples, key, unit = 1048576) {
  const points = samples.slice(0, -1).filter((s) => s.t >= warmupS);
  if (points.length < 3) return NaN;
  const n = points.length;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mv = points.reduce((a, p) => a + p[key], 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p[key] - mv);
    den += (p.t - mt) ** 2;
  }
  return (num / den) * 60 / unit;
}

const mb = (bytes) => (bytes / 1048576).toFixed(1);
const keys = ['heapUsed', 'external', 'rss'];

for (const name of wanted) {
  const info = readCase(name);
  const dir = join(casesDir, name);
  ensureInstalled(dir);
  ensureInstalled(join(dir, 'fixed'));
  prepareFixed(dir);
  console.log(`verifying ${name} (${durationS} s, leaky and fixed side by side)`);
  const [leaky, fixed] = await Promise.all([runWorkload(dir, {}), runWorkload(join(dir, 'fixed'), {})]);
  const rows = [];
  for (const [label, run, version] of [['leaky', leaky, info.leakyVersion], ['fixed', fixed, info.fixedVersion]]) {
    const first = run.samples.find((s) => s.t >= warmupS) ?? run.samples[0];
    const last = run.samples.at(-2) ?? run.samples.at(-1);
    const fds = first?.fds === undefined ? 'n/a' : `${slope(run.samples, 'fds', 1).toFixed(1)} (${first.fds} → ${last.fds})`;
    rows.push(
      `| ${label} | ${version} | ${run.code ?? run.signal} | ${keys.map((k) => `${slope(run.samples, k).toFixed(2)} (${mb(first?.[k] ?? 0)} → ${mb(last?.[k] ?? 0)})`).join(' | ')} | ${fds} |`,
    );
  }
  const raw = (run) => run.samples.map((s) => `${s.t.toFixed(0).padStart(4)} s  heapUsed ${mb(s.heapUsed).padStart(7)}  external ${mb(s.external).padStart(7)}  rss ${mb(s.rss).padStart(7)}${s.fds === undefined ? '' : `  fds ${String(s.fds).padStart(4)}`}`).join('\n');
  const text = [
    `# ${name}: verification`,
    '',
    `${info.package} ${info.leakyVersion} (leaky) and ${info.fixedVersion} (fixed), run side by side on Node ${process.version}, ${durationS} s, ` +
      `\`node --expose-gc -r lib/memprint.cjs workload.js\` (full GC before each print). Growth is the least-squares slope in MB/min after ${warmupS} s ` +
      `(the print at exit left out), open file descriptors per minute likewise; in brackets the value at ${warmupS} s and at the last running print.`,
    '',
    '| version | package | exit | heapUsed MB/min | external MB/min | RSS MB/min | open fds /min |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Measured ${new Date().toISOString().slice(0, 16)}Z. Reproduce: \`node bench/real-leaks/verify.mjs --cases ${name}\`.`,
    '',
    '## leaky',
    '',
    '```',
    raw(leaky),
    '```',
    '',
    '## fixed',
    '',
    '```',
    raw(fixed),
    '```',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'verification.md'), text);
  console.log(rows.join('\n'));
}
