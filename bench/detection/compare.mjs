// Two builds of heapsleuth side by side on the same recordings: for each scenario of a
// finished `run.mjs` (its --out folder), every prefix is judged by another build (--before,
// e.g. main) and by this one. Per scenario: the first correct verdict (leaks), the prefix
// from which every later verdict is correct ("settled"), the prefixes judged wrong (false
// alarms on look-alikes, misses on leaks), the final verdict, and one letter per prefix.
// Run: node bench/detection/run.mjs --out DIR
//      node bench/detection/compare.mjs DIR --before /path/to/other/checkout/dist/src/index.js
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeRecordings } from '../../dist/src/index.js';
import { recordedScenarios, replayPrefixes, settle } from './replay.mjs';

const args = process.argv.slice(2);
const beforeAt = args.indexOf('--before');
const dir = args.find((arg, i) => !arg.startsWith('--') && i !== beforeAt + 1);
if (!dir || beforeAt < 0 || !args[beforeAt + 1]) {
  process.stderr.write('usage: node bench/detection/compare.mjs <run.mjs --out folder> --before <other build>/dist/src/index.js\n');
  process.exit(2);
}
const before = await import(pathToFileURL(resolve(args[beforeAt + 1])).href);

const seconds = (value) => (value === null ? 'never' : `${value.toFixed(1)} s`);
const letters = (steps) => steps.map((step) => step.outcome[0]).join('');
const finalOf = (steps) => steps.at(-1)?.verdict.verdict ?? '-';

function cell(scenario, outcome) {
  const healthy = scenario.expect.kind === 'healthy';
  const first = healthy ? '' : `first ${seconds(outcome.firstCorrect)}, `;
  return `${first}settled ${seconds(outcome.settledAt)}, ${outcome.wrong} of ${outcome.judged} wrong, final ${outcome.final}`;
}

const rows = ['| scenario | expected | before | after |', '|---|---|---|---|'];
const timelines = [];
const totals = { before: { alarms: 0, misses: 0 }, after: { alarms: 0, misses: 0 } };
for (const { scenario, recording } of recordedScenarios(dir)) {
  const judged = {};
  for (const [side, analyze] of [['before', before.analyzeRecordings], ['after', analyzeRecordings]]) {
    const steps = replayPrefixes(recording, scenario.expect, { analyze });
    judged[side] = { ...settle(steps), final: finalOf(steps), letters: letters(steps) };
    totals[side][scenario.expect.kind === 'healthy' ? 'alarms' : 'misses'] += judged[side].wrong;
  }
  const expected = scenario.expect.kind === 'healthy' ? 'healthy' : 'leak';
  rows.push(`| ${scenario.name} | ${expected} | ${cell(scenario, judged.before)} | ${cell(scenario, judged.after)} |`);
  timelines.push(`${scenario.name.padEnd(18)} before ${judged.before.letters}`, `${''.padEnd(18)} after  ${judged.after.letters}`);
}
console.log(rows.join('\n'));
console.log(`\nWrong prefixes in all: false alarms on healthy scenarios ${totals.before.alarms} -> ${totals.after.alarms}; misses on leaks ${totals.before.misses} -> ${totals.after.misses}.`);
console.log('\nVerdict per prefix (c correct, m missed, f false alarm, i inconclusive):\n');
console.log(['```', ...timelines, '```'].join('\n'));
