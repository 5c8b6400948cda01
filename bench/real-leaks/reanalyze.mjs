// Re-analyses recordings of earlier real-leak runs (no workload rerun) and scores them with the
// cases' truth files: for comparing analysis changes side by side on the same evidence.
//   node bench/real-leaks/reanalyze.mjs --heapsleuth dist/src/cli/main.js --out /tmp/x <run-dir>...
// A run dir holds <case>/{leaky,fixed}/recording (what run.mjs writes). Prints one row per
// case and run, then totals per run dir. Two analyses at a time.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { scoreCase } from './lib/score.mjs';

const run = promisify(execFile);
const casesDir = fileURLToPath(new URL('./cases/', import.meta.url));
const usage = 'usage: node bench/real-leaks/reanalyze.mjs [--heapsleuth main.js] [--out DIR] <run-dir>...';
let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { heapsleuth: { type: 'string', default: fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url)) }, out: { type: 'string', default: 'reanalyzed' } },
  });
} catch (error) {
  console.error(`${error.message}\n${usage}`);
  process.exit(2);
}
const bin = resolve(parsed.values.heapsleuth);
const out = resolve(parsed.values.out);
const roots = parsed.positionals.map((root) => resolve(root));
if (roots.length === 0) {
  console.error(usage);
  process.exit(2);
}

const jobs = roots.flatMap((root) => readdirSync(root).filter((name) => existsSync(join(root, name, 'leaky', 'recording')) && existsSync(join(casesDir, name, 'truth.json'))).map((name) => ({ root, name })));

async function analyze(recording, file) {
  if (!existsSync(recording)) return undefined;
  try {
    await run(process.execPath, [bin, 'analyze', recording, '--json', file], { maxBuffer: 1 << 26 });
  } catch (error) {
    if (!existsSync(file)) return { code: error.code };
  }
  return { verdict: JSON.parse(readFileSync(file, 'utf8')), code: 0 };
}

const rows = [];
let next = 0;
async function worker() {
  while (next < jobs.length) {
    const { root, name } = jobs[next++];
    const dir = join(out, `${root.split('/').pop()}__${name}`);
    mkdirSync(dir, { recursive: true });
    const info = { name, ...JSON.parse(readFileSync(join(casesDir, name, 'truth.json'), 'utf8')) };
    const leaky = await analyze(join(root, name, 'leaky', 'recording'), join(dir, 'leaky.json'));
    const fixed = await analyze(join(root, name, 'fixed', 'recording'), join(dir, 'fixed.json'));
    rows.push({ root, ...scoreCase(info, leaky, fixed) });
  }
}
await Promise.all([worker(), worker()]);
rows.sort((a, b) => a.root.localeCompare(b.root) || a.case.localeCompare(b.case));
for (const row of rows) {
  console.log(`${row.root.split('/').pop()} ${row.case}: ${row.detected ? 'detected' : `not detected (${row.leakyVerdict})`}, ${row.namedTop3 ? 'named' : 'not named'} (${row.rankText}), fixed: ${row.fixedVerdict}${row.falseAlarm ? ' FALSE ALARM' : ''}`);
}
for (const root of roots) {
  const group = rows.filter((row) => row.root === root);
  console.log(`${root}: ${group.length} cases, ${group.filter((row) => row.detected).length} detected, ${group.filter((row) => row.namedTop3).length} named in the top 3, ${group.filter((row) => row.falseAlarm).length} false alarms`);
}
