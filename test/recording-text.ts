import { RecordingEncoder, type RecordingHeader } from '../src/formats/recording.js';
import type { ProcessSample } from '../src/model/process.js';
import { Snapshot } from '../src/model/snapshot.js';
import type { Trace } from '../src/model/trace.js';

export interface SampleSpec {
  traces: Trace[];
  process: ProcessSample;
}

/** The text of a recording written by the real encoder: a header (defaults overridable) and one sample per spec. */
export function recordingText(samples: readonly SampleSpec[], header: Partial<Omit<RecordingHeader, 'type' | 'format' | 'version'>> = {}): string {
  const encoder = new RecordingEncoder();
  const fields = {
    runtime: 'node' as const,
    runtimeVersion: 'v20',
    pid: 77,
    hostname: 'h',
    service: 'svc',
    argv: [],
    cwd: '/',
    startTime: new Date(0).toISOString(),
    sampling: { sampler: 'inspector', intervalBytes: 65536, stackDepth: 64 },
    limits: {},
    agent: { name: 'heapsleuth', version: '0' },
    ...header,
  };
  const metadata = { runtime: fields.runtime, takenAt: '', samplingIntervalBytes: fields.sampling.intervalBytes, stackDepth: fields.sampling.stackDepth };
  let text = encoder.encodeHeader(fields);
  for (const sample of samples) {
    text += encoder.encodeSample(new Snapshot(sample.traces, metadata), sample.process);
    encoder.commit();
  }
  return text;
}
