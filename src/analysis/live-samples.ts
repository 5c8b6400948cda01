import type { Recording } from '../formats/recording.js';

/** Fewer live-only samples than this in a recording, and all its samples are used. */
const MIN_LIVE_SAMPLES = 3;

/**
 * The recording with only the samples whose snapshot held nothing but live objects. The
 * native sampler reads without a GC and marks ticks that could not wait for V8's own
 * major GC `liveOnly: false`: their allocation sites may still count garbage, so the
 * per-site series leave them out. Process memory is measured the same either way.
 */
export function liveSamplesOnly(recording: Recording): Recording {
  const live = recording.samples.filter((sample) => sample.liveOnly !== false);
  if (live.length === recording.samples.length || live.length < MIN_LIVE_SAMPLES) return recording;
  return { ...recording, samples: live };
}
