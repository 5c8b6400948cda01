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
 * Range queries in flight at a time. While the detective rebuilds one batch's lifetimes,
 * Prometheus answers the next batch's queries, and two or three queries at once let it use
 * more than one core. More would only add answers held in memory (bench/fleet/README.md).
 */
export const QUERIES_IN_FLIGHT = 3;

export interface ReadOptions {
  /** Default INSTANCES_PER_QUERY. */
  instancesPerQuery?: number;
  /** Default QUERIES_IN_FLIGHT; 1 reads one query after the other. */
  queriesInFlight?: number;
}

/** The queries of one batch, by the InstanceSeries field each fills. */
type Field = 'memory' | 'info' | 'startTime' | 'sites' | 'handles' | 'limits' | 'samplingInterval';

/**
 * Reads the fleet a batch of instances at a time and yields each instance's series, in
 * the order of their names. The next batch's queries are under way while the caller works
 * on this batch's instances; at most this batch and the next are held in memory. Values
 * between steps are bucket medians (`quantile_over_time(0.5, ...)`), which is what the
 * detective would reduce a long series to anyway. The first failing query ends the
 * reading with its error and cancels the others.
 */
export async function* readFleet(api: PrometheusApi, query: FleetQuery, options: ReadOptions = {}): AsyncGenerator<InstanceSeries> {
  const prefix = query.prefix ?? 'heapsleuth_';
  const perQuery = Math.max(1, options.instancesPerQuery ?? INSTANCES_PER_QUERY);
  const instances = await listInstances(api, query, prefix);
  const batches: string[][] = [];
  for (let from = 0; from < instances.length; from += perQuery) batches.push(instances.slice(from, from + perQuery));

  const cancel = new AbortController();
  const slots = new QuerySlots(Math.max(1, options.queriesInFlight ?? QUERIES_IN_FLIGHT), cancel.signal);
  const window = `[${Math.max(1, Math.round(query.stepMs / 1000))}s]`;
  const readBatch = async (batch: string[]): Promise<Map<Field, Map<string, RangeSeries[]>>> => {
    const selector = `{job=${promString(query.job)},instance=~${promString(batch.map(regexLiteral).join('|'))}}`;
    const byInstance = async (promql: string) => {
      const answer = await slots.run(() => api.queryRange(promql, query.start, query.end, query.stepMs, cancel.signal));
      const found = new Map<string, RangeSeries[]>(batch.map((instance) => [instance, []]));
      for (const series of answer) found.get(series.labels.instance ?? '')?.push(series);
      return found;
    };
    const median = (name: string) => byInstance(`quantile_over_time(0.5, ${prefix}${name}${selector}${window})`);
    const last = (name: string) => byInstance(`last_over_time(${prefix}${name}${selector}${window})`);
    const fields: [Field, Promise<Map<string, RangeSeries[]>>][] = [
      ['memory', median('process_memory_bytes')],
      ['info', last('info')],
      ['startTime', last('process_start_time_seconds')],
      ['sites', median('site_live_bytes')],
      ['handles', median('active_resources')],
      ['limits', last('memory_limit_bytes')],
      ['samplingInterval', last('sampling_interval_bytes')],
    ];
    return new Map(await Promise.all(fields.map(async ([field, answer]) => [field, await answer] as const)));
  };

  const pending: (Promise<Map<Field, Map<string, RangeSeries[]>>> | undefined)[] = [];
  const start = (index: number) => {
    if (index >= batches.length || pending[index]) return;
    const answers = readBatch(batches[index]!);
    // Awaited in turn below; until then a failure must not count as unhandled.
    answers.catch(() => undefined);
    pending[index] = answers;
  };
  try {
    for (let index = 0; index < batches.length; index++) {
      start(index);
      start(index + 1);
      const answers = await pending[index]!;
      pending[index] = undefined;
      for (const instance of batches[index]!) {
        const own = (field: Field) => answers.get(field)!.get(instance) ?? [];
        yield {
          instance,
          targetLabels: commonLabels([...own('memory'), ...own('info')].map((series) => series.labels)),
          info: own('info'),
          startTime: own('startTime'),
          memory: own('memory'),
          sites: own('sites'),
          handles: own('handles'),
          limits: own('limits'),
          samplingInterval: own('samplingInterval'),
        };
      }
    }
  } finally {
    // An error, or a caller that stopped early: nothing more is wanted from Prometheus.
    cancel.abort(new PrometheusError('reading stopped'));
  }
}

/** At most `size` calls running at once, started in the order they were asked for. */
class QuerySlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly size: number,
    private readonly cancel: AbortSignal,
  ) {}

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      if (this.cancel.aborted) throw this.cancel.reason;
      return await call();
    } finally {
      this.running--;
      this.waiting.shift()?.();
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
