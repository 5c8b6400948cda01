import { PrometheusError, promString, type Labels, type PrometheusApi, type RangeSeries } from './prometheus-api.js';

/** What to read: one job (service) over a window, at one step. */
export interface FleetQuery {
  job: string;
  /** Epoch milliseconds. */
  start: number;
  end: number;
  stepMs: number;
  /** heapsleuth's metric name prefix (default `heapsleuth_`). */
  prefix?: string;
}

/** The series of one instance (one scrape target) over the window. */
export interface InstanceSeries {
  instance: string;
  /** Labels every series of the instance carries (job, instance, target labels). */
  targetLabels: Labels;
  /** `heapsleuth_info` over time: its labels name the service version. */
  info: RangeSeries[];
  startTime: RangeSeries[];
  /** By `type`: rss, heap_total, heap_used, external, array_buffers. */
  memory: RangeSeries[];
  /** By `site`. */
  sites: RangeSeries[];
  /** By `type` (Timeout, TCPSocketWrap, ...). */
  handles: RangeSeries[];
  /** By `type`: heap, container. */
  limits: RangeSeries[];
  samplingInterval: RangeSeries[];
}

/** Labels that belong to a metric, not to the instance. */
const METRIC_LABELS = new Set(['__name__', 'type', 'site', 'space', 'service', 'version', 'runtime_version', 'agent_version']);

/**
 * Reads the fleet instance by instance, so that memory holds one instance's raw answers
 * at a time. Values between steps are bucket medians (`quantile_over_time(0.5, ...)`),
 * which is what the detective would reduce a long series to anyway.
 */
export async function* readFleet(api: PrometheusApi, query: FleetQuery): AsyncGenerator<InstanceSeries> {
  const prefix = query.prefix ?? 'heapsleuth_';
  const instances = await listInstances(api, query, prefix);
  for (const instance of instances) {
    const selector = `{job=${promString(query.job)},instance=${promString(instance)}}`;
    const window = `[${Math.max(1, Math.round(query.stepMs / 1000))}s]`;
    const median = (name: string) => api.queryRange(`quantile_over_time(0.5, ${prefix}${name}${selector}${window})`, query.start, query.end, query.stepMs);
    const last = (name: string) => api.queryRange(`last_over_time(${prefix}${name}${selector}${window})`, query.start, query.end, query.stepMs);
    const memory = await median('process_memory_bytes');
    const info = await last('info');
    yield {
      instance,
      targetLabels: commonLabels([...memory, ...info].map((series) => series.labels)),
      info,
      startTime: await last('process_start_time_seconds'),
      memory,
      sites: await median('site_live_bytes'),
      handles: await median('active_resources'),
      limits: await last('memory_limit_bytes'),
      samplingInterval: await last('sampling_interval_bytes'),
    };
  }
}

async function listInstances(api: PrometheusApi, query: FleetQuery, prefix: string): Promise<string[]> {
  const job = promString(query.job);
  const found = await api.series(`${prefix}process_memory_bytes{job=${job}}`, query.start, query.end);
  const instances = [...new Set(found.map((labels) => labels.instance ?? ''))].sort();
  if (instances.length > 0) return instances;
  const anything = await api.series(`{job=${job}}`, query.start, query.end);
  if (anything.length === 0) {
    throw new PrometheusError(`Prometheus has no series for job ${job} in this window; check the job name (the scrape config's job_name) and --since`);
  }
  throw new PrometheusError(
    `job ${job} has series but none of heapsleuth's (${prefix}process_memory_bytes): register them in the service with registerPrometheusMetrics({ registry, tracer }) from 'heapsleuth/prometheus' (docs/metrics.md)`,
  );
}

function commonLabels(sets: Labels[]): Labels {
  const [first, ...rest] = sets;
  const common: Labels = {};
  for (const [name, value] of Object.entries(first ?? {})) {
    if (!METRIC_LABELS.has(name) && rest.every((labels) => labels[name] === value)) common[name] = value;
  }
  return common;
}
