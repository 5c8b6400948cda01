import { onDemandSignalProblem } from './on-demand-signal.js';
import type { TraceLeaksOptions } from './tracer.js';
import { parseDurationMs } from './durations.js';

/** The environment variables of the zero-code agent (`heapsleuth/register`), documented in the README. */
export const ENV = {
  disable: 'HEAPSLEUTH_DISABLE',
  interval: 'HEAPSLEUTH_INTERVAL',
  outDir: 'HEAPSLEUTH_OUT',
  record: 'HEAPSLEUTH_RECORD',
  service: 'HEAPSLEUTH_SERVICE',
  samplingInterval: 'HEAPSLEUTH_SAMPLING_INTERVAL',
  stackDepth: 'HEAPSLEUTH_STACK_DEPTH',
  top: 'HEAPSLEUTH_TOP',
  trace: 'HEAPSLEUTH_TRACE',
  log: 'HEAPSLEUTH_LOG',
  signal: 'HEAPSLEUTH_SIGNAL',
  workers: 'HEAPSLEUTH_WORKERS',
  sampler: 'HEAPSLEUTH_SAMPLER',
  inlining: 'HEAPSLEUTH_INLINING',
  handleSites: 'HEAPSLEUTH_HANDLE_SITES',
  retainers: 'HEAPSLEUTH_RETAINERS',
  retainersMaxHeap: 'HEAPSLEUTH_RETAINERS_MAX_HEAP',
} as const;

export interface EnvConfig {
  disabled: boolean;
  /** Trace worker threads too, each into its own recording. */
  workers: boolean;
  options: TraceLeaksOptions;
  /** One line per value that could not be used (the default is used instead). */
  problems: string[];
}

const TRUE = /^(1|true|yes|on)$/i;

/** Reads the agent's settings from environment variables; bad values fall back to defaults with a problem line. */
export function readEnvConfig(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const problems: string[] = [];
  const options: TraceLeaksOptions = {};
  const value = (name: string) => {
    const text = env[name]?.trim();
    return text ? text : undefined;
  };
  const integer = (name: string, min: number): number | undefined => {
    const text = value(name);
    if (text === undefined) return undefined;
    const parsed = Number(text);
    if (Number.isInteger(parsed) && parsed >= min) return parsed;
    problems.push(`${name}=${JSON.stringify(text)} is not an integer >= ${min}; using the default`);
    return undefined;
  };

  const interval = value(ENV.interval);
  if (interval !== undefined) {
    try {
      options.interval = parseDurationMs(/^\d+(\.\d+)?$/.test(interval) ? `${interval}s` : interval, ENV.interval);
    } catch (error) {
      problems.push(`${(error as Error).message}; using the default`);
    }
  }
  const outDir = value(ENV.outDir);
  if (outDir) options.outDir = outDir;
  const record = value(ENV.record);
  if (record !== undefined) options.record = /^(off|false|0|no)$/i.test(record) ? false : record === 'auto' ? 'auto' : record;
  const service = value(ENV.service);
  if (service) options.service = service;
  const sampling = integer(ENV.samplingInterval, 1);
  if (sampling !== undefined) options.samplingIntervalBytes = sampling;
  const depth = integer(ENV.stackDepth, 1);
  if (depth !== undefined) options.stackDepth = depth;
  const top = integer(ENV.top, 0);
  if (top !== undefined) options.top = top;
  const trace = integer(ENV.trace, 0);
  if (trace !== undefined) options.trace = trace;
  const log = value(ENV.log);
  if (log !== undefined) {
    if (/^(off|false|0|no|none)$/i.test(log)) options.logger = false;
    else if (log === 'json') options.logger = 'json';
    else problems.push(`${ENV.log}=${JSON.stringify(log)} is not json or off; using json`);
  }
  const signal = value(ENV.signal);
  if (signal !== undefined) {
    if (/^(off|false|0|no|none)$/i.test(signal)) options.signal = false;
    else {
      const problem = onDemandSignalProblem(signal);
      if (problem === undefined) options.signal = signal as NodeJS.Signals;
      else problems.push(`${ENV.signal}=${JSON.stringify(signal)}: ${problem}; on-demand ticks stay off`);
    }
  }
  const sampler = value(ENV.sampler);
  if (sampler !== undefined) {
    if (sampler === 'auto' || sampler === 'native' || sampler === 'inspector') options.sampler = sampler;
    else problems.push(`${ENV.sampler}=${JSON.stringify(sampler)} is not auto, native or inspector; using auto`);
  }
  const inlining = value(ENV.inlining);
  if (inlining !== undefined) {
    if (/^(off|false|0|no)$/i.test(inlining)) options.inlining = false;
    else if (!TRUE.test(inlining)) problems.push(`${ENV.inlining}=${JSON.stringify(inlining)} is not on or off; leaving V8's inlining on`);
  }
  const handleSites = value(ENV.handleSites);
  if (handleSites !== undefined) {
    if (TRUE.test(handleSites)) options.handleSites = true;
    else if (!/^(off|false|0|no)$/i.test(handleSites)) problems.push(`${ENV.handleSites}=${JSON.stringify(handleSites)} is not on or off; leaving it off`);
  }
  const retainers = value(ENV.retainers);
  if (retainers !== undefined) {
    if (TRUE.test(retainers)) options.retainers = true;
    else if (retainers === 'auto') options.retainers = 'auto';
    else if (!/^(off|false|0|no)$/i.test(retainers)) problems.push(`${ENV.retainers}=${JSON.stringify(retainers)} is not on, off or auto; leaving heap snapshots off`);
  }
  const maxHeap = integer(ENV.retainersMaxHeap, 0);
  if (maxHeap !== undefined) options.retainersMaxHeapBytes = maxHeap;
  return { disabled: TRUE.test(value(ENV.disable) ?? ''), workers: TRUE.test(value(ENV.workers) ?? ''), options, problems };
}
