// Replays a recording as it grew: the detective judges the first k samples for every k from
// `minSamples` on, as if it had been asked after each tick.
import { analyzeRecordings } from '../../dist/src/index.js';
import { judgeVerdict } from './judge.mjs';

/** The recording as it was after its first `count` samples. */
export function recordingPrefix(recording, count) {
  return { ...recording, samples: recording.samples.slice(0, count), end: undefined };
}

/** One judged verdict per prefix: `{ count, seconds, outcome, wrongFiles, blamed, verdict }`. */
export function replayPrefixes(recording, expect, { minSamples = 10, analyzeOptions = {} } = {}) {
  const start = recording.samples[0]?.time ?? 0;
  const steps = [];
  for (let count = Math.max(1, minSamples); count <= recording.samples.length; count++) {
    const verdict = analyzeRecordings([recordingPrefix(recording, count)], analyzeOptions);
    const seconds = (recording.samples[count - 1].time - start) / 1000;
    steps.push({ count, seconds, ...judgeVerdict(verdict, expect), verdict });
  }
  return steps;
}
