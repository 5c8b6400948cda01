// Generations (the inspector's sample ordinals) on and off, side by side on the same
// recordings: for each scenario of a finished `run.mjs` (its --out folder), the first
// prefix from which every later verdict is correct ("settled"), and the number of prefixes
// judged wrong (false alarms on look-alikes, misses on leaks).
// Run: node bench/detection/run.mjs --out DIR && node bench/detection/generations.mjs DIR
import { recordedScenarios, replayPrefixes, settle } from './replay.mjs';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node bench/detection/generations.mjs <run.mjs --out folder>\n');
  process.exit(2);
}

const rows = ['| scenario | expected | generations off: settled at / wrong prefixes | generations on: settled at / wrong prefixes |', '|---|---|---|---|'];
for (const { scenario, recording } of recordedScenarios(dir)) {
  const cell = (generations) => {
    const { settledAt, wrong, judged } = settle(replayPrefixes(recording, scenario.expect, { analyzeOptions: { generations } }));
    return `${settledAt === null ? 'never' : `${settledAt.toFixed(1)} s`} / ${wrong} of ${judged}`;
  };
  rows.push(`| ${scenario.name} | ${scenario.expect.kind === 'healthy' ? 'healthy' : 'leak'} | ${cell(false)} | ${cell(true)} |`);
}
console.log(rows.join('\n'));
