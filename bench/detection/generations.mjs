// Generations (the inspector's sample ordinals) on and off, side by side on the same
// recordings: for each scenario of a finished `run.mjs` (its --out folder), the first
// prefix from which every later verdict is correct ("settled"), and the number of prefixes
// judged wrong (false alarms on look-alikes, misses on leaks).
// Run: node bench/detection/run.mjs --out DIR && node bench/detection/generations.mjs DIR
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecording } from '../../dist/src/index.js';
import { scenarios } from './catalogue.mjs';
import { replayPrefixes, settle } from './replay.mjs';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node bench/detection/generations.mjs <run.mjs --out folder>\n');
  process.exit(2);
}

const rows = ['| scenario | expected | generations off: settled at / wrong prefixes | generations on: settled at / wrong prefixes |', '|---|---|---|---|'];
for (const scenario of scenarios) {
  let files;
  try {
    files = readdirSync(join(dir, scenario.name)).filter((file) => file.endsWith('.ndjson'));
  } catch {
    continue;
  }
  if (files.length === 0) continue;
  const path = join(dir, scenario.name, files[0]);
  const recording = parseRecording(readFileSync(path, 'utf8'), path);
  const cell = (generations) => {
    const { settledAt, wrong, judged } = settle(replayPrefixes(recording, scenario.expect, { analyzeOptions: { generations } }));
    return `${settledAt === null ? 'never' : `${settledAt.toFixed(1)} s`} / ${wrong} of ${judged}`;
  };
  rows.push(`| ${scenario.name} | ${scenario.expect.kind === 'healthy' ? 'healthy' : 'leak'} | ${cell(false)} | ${cell(true)} |`);
}
console.log(rows.join('\n'));
