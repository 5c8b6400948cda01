export * from './model/index.js';
export {
  start,
  stop,
  isTracing,
  takeSnapshot,
  getTracingOptions,
  DEFAULT_SAMPLING_INTERVAL_BYTES,
  DEFAULT_STACK_DEPTH,
  type StartOptions,
  type TracingOptions,
} from './agent/heap-tracing.js';
export { SamplerError } from './agent/sampler.js';
export { ProcessMetrics, memoryLimits } from './agent/process-metrics.js';
export { traceLeaks, Tracer, type TraceLeaksOptions, type TickResult } from './agent/tracer.js';
export type { Logger } from './agent/logger.js';
export {
  parseRecording,
  snapshotOfSample,
  RecordingEncoder,
  RecordingFormatError,
  RECORDING_VERSION,
  type Recording,
  type RecordingHeader,
  type RecordingSample,
} from './formats/recording.js';
export { VERSION } from './version.js';
export { snapshotToPprof, snapshotFromPprof, PprofFormatError, type PprofReadOptions } from './formats/pprof.js';
export { snapshotToHeapProfile, snapshotFromHeapProfile, HeapProfileFormatError, type HeapProfile } from './formats/heapprofile.js';
export { readProfileFile, loadSnapshot, selectSnapshotIndex, ProfileLoadError, type ProfileFile, type ProfileKind } from './formats/load-profile.js';
import './formats/snapshot-methods.js';
export { analyzeRecordings, DEFAULT_ANALYZE_OPTIONS, type AnalyzeOptions } from './analysis/analyze.js';
export type { Verdict, VerdictKind, Suspect, SeriesFinding, HandleFinding, Restart, Projection, TracebackEntry, SeriesPoint } from './analysis/verdict.js';
