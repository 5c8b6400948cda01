import { basename, extname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { getTracingOptions } from '../agent/heap-tracing.js';
import { memoryLimits } from '../agent/process-metrics.js';
import type { MemoryLimits } from '../model/process.js';
import { VERSION } from '../version.js';

/** What a metrics backend needs to tell processes, lifetimes and versions of a service apart. */
export interface ProcessIdentity {
  service: string;
  version: string;
  runtimeVersion: string;
  agentVersion: string;
  /** Process start, seconds since the epoch (a new value marks a restart). */
  startTimeSeconds: number;
  limits(): MemoryLimits;
  /** The sampling heap profiler's mean interval (0 when it is not running). */
  samplingIntervalBytes(): number;
}

export function processIdentity(options: { service?: string | undefined; version?: string | undefined }): ProcessIdentity {
  const script = process.argv[1];
  let limits: MemoryLimits | undefined;
  return {
    service: options.service ?? process.env.HEAPSLEUTH_SERVICE ?? (script ? basename(script, extname(script)) : 'node'),
    version: options.version ?? process.env.HEAPSLEUTH_SERVICE_VERSION ?? process.env.npm_package_version ?? '',
    runtimeVersion: process.version,
    agentVersion: VERSION,
    startTimeSeconds: Math.round(performance.timeOrigin) / 1000,
    limits: () => (limits ??= memoryLimits()),
    samplingIntervalBytes: () => getTracingOptions()?.samplingIntervalBytes ?? 0,
  };
}
