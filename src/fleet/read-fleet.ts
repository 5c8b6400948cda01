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
 * Instances read by one range query. Each query costs Prometheus a fixed look-up in
 * every block of the window (a 14-day window is 168 two-hour blocks before compaction), so
 * one query per metric and instance made the reader wait on Prometheus far longer than
 * the verdict took; a batch of this many instances keeps each answer to a few MB.
 */
export const INSTANCES_PER_QUERY = 20;

/**
 * Reads the fleet a batch of instances at a time, so that memory holds one batch's raw
 * answers at a time, and yields each instance's series. Values between steps are bucket
 * medians (`quantile_over_time(0.5, ...)`), which is what the detective would reduce a long
 * series to anyway.
 */
export async function* readFleet(api: PrometheusApi, query: FleetQuery): AsyncGenerator<InstanceSeries> {
  const prefix = query.prefix ?? 'heapsleuth_';
  const instances = await listInstances(api, query, prefix);
  for (let from = 0; from < instances.length; from += INSTANCES_PER_QUERY) {
    const batch = instances.slice(from, from + INSTANCES_PER_QUERY);
    const selector = `{job=${promString(query.job)},instance=~${promString(batch.map(regexLiteral).join('|'))}}`;
    const window = `[${Math.max(1, Math.round(query.stepMs / 1000))}s]`;
    const byInstance = async (promql: string) => {
      const found = new Map<string, RangeSeries[]>(batch.map((instance) => [instance, []]));
      for (const series of await api.queryRange(promql, query.start, query.end, query.stepMs)) found.get(series.labels.instance ?? '')?.push(series);
      return found;
    };
    const median = (name: string) => byInstance(`quantile_over_time(0.5, ${prefix}${name}${selector}${window})`);
    const last = (name: string) => byInstance(`last_over_time(${prefix}${name}${selector}${window})`);
    const memory = await median('process_memory_bytes');
    const info = await last('info');
    const startTime = await last('process_start_time_seconds');
    const sites = await median('site_live_bytes');
    const handles = await median('active_resources');
    const limits = await last('memory_limit_bytes');
    const samplingInterval = await last('sampling_interval_bytes');
    for (const instance of batch) {
      const own = (found: Map<string, RangeSeries[]>) => found.get(instance) ?? [];
      yield {
        instance,
        targetLabels: commonLabels([...own(memory), ...own(info)].map((series) => series.labels)),
        info: own(info),
        startTime: own(startTime),
        memory: own(memory),
        sites: own(sites),
        handles: own(handles),
        limits: own(limits),
        samplingInterval: own(samplingInterval),
      };
    }
  }
}

/** A label value as a regular expression that matches only it (RE2 syntax, as Prometheus reads it). */
function regexLiteral(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
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
