// Replays a recording as it grew: the detective judges the first k samples for every k from
// `minSamples` on, as if it had been asked after each tick.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeRecordings, parseRecording } from '../../dist/src/index.js';
import { scenarios } from './catalogue.mjs';
import { judgeVerdict } from './judge.mjs';

/** The scenarios of a finished `run.mjs` (its --out folder) that have a recording, with it. */
export function* recordedScenarios(dir) {
  for (const scenario of scenarios) {
    let files;
    try {
      files = readdirSync(join(dir, scenario.name)).filter((file) => file.endsWith('.ndjson'));
    } catch {
      continue;
    }
    if (files.length === 0) continue;
    const path = join(dir, scenario.name, files[0]);
    yield { scenario, recording: parseRecording(readFileSync(path, 'utf8'), path) };
  }
}

/** The recording as it was after its first `count` samples. */
export function recordingPrefix(recording, count) {
  return { ...recording, samples: recording.samples.slice(0, count), end: undefined };
}

/**
 * One judged verdict per prefix: `{ count, seconds, outcome, wrongFiles, blamed, verdict }`.
 * `analyze` is this build's `analyzeRecordings` unless another build's is given (compare.mjs).
 */
export function replayPrefixes(recording, expect, { minSamples = 10, analyzeOptions = {}, analyze = analyzeRecordings } = {}) {
  const start = recording.samples[0]?.time ?? 0;
  const steps = [];
  for (let count = Math.max(1, minSamples); count <= recording.samples.length; count++) {
    const verdict = analyze([recordingPrefix(recording, count)], analyzeOptions);
    const seconds = (recording.samples[count - 1].time - start) / 1000;
    steps.push({ count, seconds, ...judgeVerdict(verdict, expect), verdict });
  }
  return steps;
}

/**
 * How a scenario's prefixes went: `settledAt`, the first prefix (seconds) from which every
 * later verdict is correct (null: never); `wrong`, prefixes judged wrong (false alarms on a
 * healthy scenario, misses on a leak; inconclusive ones are not counted); `firstCorrect`.
 */
export function settle(steps) {
  let settledAt = null;
  for (let i = steps.length - 1; i >= 0 && steps[i].outcome === 'correct'; i--) settledAt = steps[i].seconds;
  const wrong = steps.filter((step) => step.outcome !== 'correct' && step.outcome !== 'inconclusive').length;
  const firstCorrect = steps.find((step) => step.outcome === 'correct')?.seconds ?? null;
  return { settledAt, wrong, judged: steps.length, firstCorrect };
}
