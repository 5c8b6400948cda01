// Replays `heapsleuth run`'s automatic heap-snapshot trigger on stored recordings: feeds each
// recording's samples one tick at a time to the very RetainerTrigger `run` starts (of the build
// given, so two builds compare side by side) and reports the sample at which it would ask for
// snapshots, next to what the stored run did (its snapshots, and whether its keeper named a
// truth file). Seconds per recording instead of rerunning the cases.
//   node bench/real-leaks/replay-trigger.mjs [--heapsleuth-dist DIR] [--duration 80] <run-dir>...
// A run dir holds <case>/{leaky,fixed}/recording (what run.mjs writes). The trigger waits for
// two thirds of --duration (80 s, run.mjs's default) as `run` does.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { siteOrKeeper, snapshotsOf } from './lib/score.mjs';

const usage = 'usage: node bench/real-leaks/replay-trigger.mjs [--heapsleuth-dist DIR] [--duration 80] <run-dir>...';
let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { 'heapsleuth-dist': { type: 'string', default: fileURLToPath(new URL('../../dist', import.meta.url)) }, duration: { type: 'string', default: '80' } },
  });
} catch (error) {
  console.error(`${error.message}\n${usage}`);
  process.exit(2);
}
const dist = resolve(parsed.values['heapsleuth-dist']);
const durationS = Number(parsed.values.duration);
const roots = parsed.positionals.map((root) => resolve(root));
if (roots.length === 0 || !Number.isFinite(durationS)) {
  console.error(usage);
  process.exit(2);
}
const { RetainerTrigger } = await import(pathToFileURL(join(dist, 'src/cli/retainer-trigger.js')).href);
const { readRecordingFile } = await import(pathToFileURL(join(dist, 'src/formats/recording-file.js')).href);
const casesDir = fileURLToPath(new URL('./cases/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'heapsleuth-replay-trigger-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

/**
 * The first prefix of the recording's running phase at which the trigger asks for snapshots
 * (`{ sample, seconds, ticksLeft, suspect }`), or `{ sample: null }`. The trigger reads the
 * recording through a stand-in for GrowingRecordings that returns one more sample per poll;
 * its request file goes to a scratch folder.
 */
function replay(recording, earliestMs, id) {
  const running = recording.samples.filter((sample) => sample.final === undefined);
  const path = join(scratch, `${id}.ndjson`);
  let count = 0;
  const growing = { read: () => [{ path, recording: { ...recording, samples: running.slice(0, count), end: undefined } }] };
  const trigger = new RetainerTrigger(growing, 3000, () => {}, earliestMs);
  for (count = 1; count <= running.length; count++) {
    trigger.poll();
    const [request] = trigger.requests;
    if (request) return { sample: count, seconds: request.elapsedSeconds, ticksLeft: running.length - count, suspect: request.suspect };
  }
  return { sample: null };
}

const rows = [];
for (const root of roots) {
  for (const name of readdirSync(root).sort()) {
    for (const version of ['leaky', 'fixed']) {
      const dir = join(root, name, version, 'recording');
      if (!existsSync(dir)) continue;
      const files = readdirSync(dir).filter((file) => file.endsWith('.ndjson'));
      if (files.length === 0) continue;
      let recording;
      try {
        [recording] = readRecordingFile(join(dir, files[0]));
      } catch (error) {
        console.error(`${root} ${name} ${version}: ${error.message}`);
        continue;
      }
      if (recording.header.runtime !== 'node') continue;
      const fired = replay(recording, (durationS * 1000 * 2) / 3, rows.length);
      const stored = snapshotsOf(dir);
      const truthFile = join(casesDir, name, 'truth.json');
      const verdictFile = join(root, name, version, 'verdict.json');
      let named = null;
      if (version === 'leaky' && existsSync(truthFile) && existsSync(verdictFile)) {
        named = siteOrKeeper(JSON.parse(readFileSync(verdictFile, 'utf8')).suspects ?? [], JSON.parse(readFileSync(truthFile, 'utf8')).files);
      }
      rows.push({ root: root.split('/').pop(), name, version, fired, stored, named });
    }
  }
}
for (const { root, name, version, fired, stored, named } of rows) {
  const now = fired.sample === null ? 'no request' : `request at sample ${fired.sample}, ${fired.seconds} s, ${fired.ticksLeft} ticks left (${fired.suspect})`;
  const before = stored.taken === 0 ? 'stored run: 0 snapshots' : `stored run: ${stored.taken} snapshots from sample ${stored.requestedAtSample ?? 'start'}`;
  const keeper = named?.by === 'keeper' ? `, keeper named the truth: ${named.where}` : '';
  console.log(`${root} ${name} ${version}: ${now}; ${before}${keeper}`);
}
for (const root of new Set(rows.map((row) => row.root))) {
  const group = rows.filter((row) => row.root === root);
  const count = (version, test) => group.filter((row) => row.version === version && test(row)).length;
  console.log(
    `${root}: fixed versions requested ${count('fixed', (row) => row.fired.sample !== null)} of ${count('fixed', () => true)} (stored: ${count('fixed', (row) => row.stored.taken > 0)}); ` +
      `leaky requested ${count('leaky', (row) => row.fired.sample !== null)} of ${count('leaky', () => true)} (stored: ${count('leaky', (row) => row.stored.taken > 0)}); ` +
      `keeper-named leaks still requested ${count('leaky', (row) => row.named?.by === 'keeper' && row.fired.sample !== null)} of ${count('leaky', (row) => row.named?.by === 'keeper')}`,
  );
}
