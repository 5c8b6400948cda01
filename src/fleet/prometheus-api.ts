/**
 * The few calls of the Prometheus HTTP API the fleet detective needs (`/api/v1/series`,
 * `/api/v1/query_range`), as spoken by Prometheus, Thanos, Mimir and VictoriaMetrics.
 * Range queries are paged by time so that no answer holds more than
 * `MAX_POINTS_PER_QUERY` points per series (Prometheus refuses more than 11 000).
 */

import { parseAnswer, type ScannedPoints } from './matrix-json.js';

export type Labels = Record<string, string>;

/** One series of a range query: its labels and its points (epoch milliseconds, value). */
export interface RangeSeries {
  labels: Labels;
  times: number[];
  values: number[];
}

/** A failure of the metrics backend, worded for a person (one line). */
export class PrometheusError extends Error {
  override name = 'PrometheusError';
}

export const MAX_POINTS_PER_QUERY = 10_000;

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

type Fetch = typeof fetch;

export class PrometheusApi {
  private readonly base: URL;
  private readonly headers: Record<string, string>;

  constructor(
    url: string,
    private readonly fetchImpl: Fetch = fetch,
    private readonly timeoutMs = 60_000,
  ) {
    try {
      this.base = new URL(url.endsWith('/') ? url : `${url}/`);
    } catch {
      throw new PrometheusError(`--prometheus: ${JSON.stringify(url)} is not a URL; give one such as http://127.0.0.1:9090`);
    }
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      throw new PrometheusError(`--prometheus: ${url} must be an http:// or https:// URL`);
    }
    // On this machine, compressing answers only costs: gzip nearly doubled Prometheus's CPU time
    // per range query in bench/fleet (and inflating costs ours). Across a network it saves more.
    this.headers = isLoopback(this.base.hostname) ? { accept: 'application/json', 'accept-encoding': 'identity' } : { accept: 'application/json' };
  }

  /** Label sets of the series matching `selector` between `start` and `end` (epoch ms). */
  async series(selector: string, start: number, end: number): Promise<Labels[]> {
    const params = new URLSearchParams({ 'match[]': selector, start: seconds(start), end: seconds(end) });
    return this.get<Labels[]>('api/v1/series', params);
  }

  /**
   * A range query, paged by time. Points of the same series from consecutive pages are
   * joined; the page boundaries are never counted twice.
   */
  async queryRange(query: string, start: number, end: number, stepMs: number, signal?: AbortSignal): Promise<RangeSeries[]> {
    const bySeries = new Map<string, RangeSeries>();
    const pageMs = stepMs * (MAX_POINTS_PER_QUERY - 1);
    for (let from = start; from <= end; from += pageMs + stepMs) {
      const to = Math.min(end, from + pageMs);
      const params = new URLSearchParams({ query, start: seconds(from), end: seconds(to), step: seconds(stepMs) });
      const matrix = await this.get<{ resultType: string; result: { metric: Labels; values: ScannedPoints | [number, string][] }[] }>('api/v1/query_range', params, signal);
      if (matrix.resultType !== 'matrix') throw new PrometheusError(`${this.base.origin}: query_range answered a ${matrix.resultType}, not a matrix`);
      for (const { metric, values } of matrix.result) {
        const key = labelsKey(metric);
        let series = bySeries.get(key);
        if (!series) bySeries.set(key, (series = { labels: metric, times: [], values: [] }));
        const points = Array.isArray(values) ? { times: values.map(([time]) => time), values: values.map(([, value]) => Number(value)) } : values;
        for (let i = 0; i < points.times.length; i++) {
          const number = points.values[i]!;
          if (!Number.isFinite(number)) continue;
          series.times.push(Math.round(points.times[i]! * 1000));
          series.values.push(number);
        }
      }
    }
    return [...bySeries.values()];
  }

  private async get<T>(path: string, params: URLSearchParams, cancel?: AbortSignal): Promise<T> {
    const url = new URL(path, this.base);
    url.search = params.toString();
    const { signal, done } = requestSignal(this.timeoutMs, cancel);
    let response: Response;
    let text: string;
    try {
      try {
        response = await this.fetchImpl(url, { signal, headers: this.headers });
      } catch (error) {
        throw new PrometheusError(`cannot reach Prometheus at ${this.base.origin}: ${networkReason(error)}`);
      }
      try {
        text = await response.text();
      } catch (error) {
        throw new PrometheusError(`Prometheus at ${this.base.origin} broke off its answer on /${path}: ${networkReason(error)}`);
      }
    } finally {
      done();
    }
    let answer: ApiAnswer<T> | undefined;
    try {
      answer = parseAnswer(text) as ApiAnswer<T>;
    } catch {
      answer = undefined;
    }
    if (!answer || typeof answer !== 'object' || (answer.status !== 'success' && answer.status !== 'error')) {
      throw new PrometheusError(`${this.base.origin} did not answer like a Prometheus query API (HTTP ${response.status} on /${path})`);
    }
    if (answer.status === 'error' || !response.ok) {
      throw new PrometheusError(`Prometheus at ${this.base.origin} refused the query: ${answer.error ?? `HTTP ${response.status}`}`);
    }
    return answer.data as T;
  }
}

/** A stable key for a label set. */
export function labelsKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}\u0000${labels[name]}`)
    .join('\u0001');
}

/** A PromQL string literal. */
export function promString(value: string): string {
  return JSON.stringify(value);
}

/** Aborts a request when it takes longer than `timeoutMs` or when `cancel` aborts; call `done` when it is over. */
function requestSignal(timeoutMs: number, cancel: AbortSignal | undefined): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('no answer in time', 'TimeoutError')), timeoutMs);
  const onCancel = () => controller.abort(cancel?.reason);
  if (cancel?.aborted) onCancel();
  else cancel?.addEventListener('abort', onCancel, { once: true });
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
    },
  };
}

/** localhost, 127.0.0.0/8 or ::1. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(hostname) || hostname === '[::1]';
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string') return cause.code;
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  return error instanceof Error ? error.message : String(error);
}
