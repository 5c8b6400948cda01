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
