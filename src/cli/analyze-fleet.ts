import { judgeFleet } from '../fleet/fleet-verdict.js';
import { instanceLifetimes, type FleetLifetime } from '../fleet/fleet-lifetimes.js';
import { PrometheusApi, PrometheusError } from '../fleet/prometheus-api.js';
import { readFleet } from '../fleet/read-fleet.js';
import { shouldUseColor } from '../report/color.js';
import { renderFleetVerdict } from '../report/fleet-verdict-text.js';
import { CliError } from './cli-error.js';
import { parseDuration } from './parse-options.js';
import { writeOutput } from './write-output.js';

export interface FleetOptions {
  prometheus: string;
  job?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  step?: string | undefined;
  by?: string | undefined;
  warmup?: string | undefined;
  warmupShare?: string | undefined;
  json?: string | undefined;
}

/**
 * Points per instance the window is read at when --step is not given (bucket medians between
 * them). The pooled tests use at most 60 points per lifetime (fleet-verdict.ts) and an
 * instance lives a few lifetimes in a window: 500 points is enough, and holding the fleet's
 * rebuilt lifetimes is what bounds memory (bench/fleet/README.md).
 */
const DEFAULT_POINTS = 500;

/**
 * `heapsleuth analyze --prometheus URL --job NAME`: reads the agent's metrics of every
 * instance of a job from a Prometheus query API, one instance at a time, and judges the
 * fleet. Returns whether it leaks.
 */
export async function analyzeFleet(options: FleetOptions): Promise<boolean> {
  if (!options.job) throw new CliError("analyze: --prometheus needs --job NAME (the scrape job of the service). See 'heapsleuth analyze --help'.");
  const end = options.until ? parseTime(options.until, '--until') : Date.now();
  const start = end - parseDuration(options.since ?? '1d', '--since');
  const stepMs = options.step ? parseDuration(options.step, '--step') : Math.max(1000, Math.ceil((end - start) / DEFAULT_POINTS / 1000) * 1000);
  const warmupMs = options.warmup ? parseDuration(options.warmup, '--warmup') : 0;
  const warmupShare = options.warmupShare === undefined ? 0 : Number(options.warmupShare);
  if (!(warmupShare >= 0 && warmupShare < 1)) throw new CliError(`heapsleuth analyze: --warmup-share ${JSON.stringify(options.warmupShare)}: give a share from 0 to below 1, e.g. 0.5`);
  try {
    const api = new PrometheusApi(options.prometheus);
    const lifetimes: FleetLifetime[] = [];
    for await (const instance of readFleet(api, { job: options.job, start, end, stepMs })) lifetimes.push(...instanceLifetimes(instance, options.job, { warmupMs, warmupShare }));
    if (lifetimes.length === 0) throw new PrometheusError(`job ${JSON.stringify(options.job)}: no process memory samples in this window; widen --since`);
    const source = `${new URL(options.prometheus).origin} job=${options.job}`;
    const verdict = judgeFleet(lifetimes, { source, ...(options.by ? { by: options.by } : {}) });
    if (options.json) {
      const text = JSON.stringify(verdict, null, 2) + '\n';
      if (options.json === '-') process.stdout.write(text);
      else writeOutput(options.json, text, '--json');
    }
    if (options.json !== '-') {
      process.stdout.write(renderFleetVerdict(verdict, { color: shouldUseColor(process.stdout), ...(options.json ? { jsonPath: options.json } : {}) }) + '\n');
    }
    return verdict.verdict === 'leak';
  } catch (error) {
    if (error instanceof PrometheusError) throw new CliError(`analyze: ${error.message}`);
    throw error;
  }
}

/** An ISO time (UTC unless it names a zone) or seconds since the epoch. */
function parseTime(text: string, what: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const zoned = /(Z|[+-]\d\d:?\d\d)$/i.test(trimmed) || !trimmed.includes('T') ? trimmed : `${trimmed}Z`;
  const time = Date.parse(zoned);
  if (Number.isNaN(time)) throw new CliError(`${what}: cannot read time ${JSON.stringify(text)}; use e.g. 2026-11-24T09:10:00Z or seconds since the epoch`);
  return time;
}
