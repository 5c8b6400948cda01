import { snapshotOfSample, type Recording, type RecordingSample } from '../formats/recording.js';
import { redactArgv } from '../formats/redact-argv.js';
import type { KeyType } from '../model/grouping.js';
import type { Verdict } from '../analysis/verdict.js';
import { nativeGap } from '../analysis/process-series.js';
import { flameTree } from './flame-tree.js';
import { callMembers } from './call-members.js';
import { hoursToLimit } from './finding-format.js';
import type { CompareRow, ReportData } from './report-data-types.js';

export type { CompareRow, ReportData, ReportSuspect } from './report-data-types.js';

const COMPARE_ROWS = 200;
const HANDLE_TYPES = 8;
const COMPARE_KEYS = ['filename', 'lineno', 'function'] as const satisfies readonly KeyType[];

/** Builds what the HTML report shows from the verdict and the recordings it was made from. */
export function buildReportData(verdict: Verdict, recordings: readonly Recording[], now = new Date()): ReportData {
  const { suspects, ...rest } = verdict;
  const timeline = recordings
    .flatMap((recording) => recording.samples.map((sample, i) => ({ sample, previous: recording.samples[i - 1] })))
    .sort((a, b) => a.sample.time - b.sample.time);
  const latest = [...recordings].filter((recording) => recording.samples.length > 0).sort((a, b) => lastTime(a) - lastTime(b)).at(-1);
  return {
    generatedAt: now.toISOString(),
    verdict: rest,
    suspects: suspects.map((suspect) => ({
      rank: suspect.rank,
      keyType: suspect.keyType,
      file: suspect.file,
      line: suspect.line,
      function: suspect.function,
      growthBytesPerHour: suspect.growthBytesPerHour,
      liveBytes: suspect.liveBytes,
      confidence: suspect.confidence,
      hoursToLimit: hoursToLimit(verdict, suspect.growthBytesPerHour),
      traceback: suspect.traceback,
      ...(suspect.sites === undefined ? {} : { sites: suspect.sites }),
      ...(suspect.handleType === undefined ? {} : { handleType: suspect.handleType, handleGrowthPerHour: suspect.handleGrowthPerHour ?? 0 }),
      ...(suspect.alsoAt === undefined ? {} : { alsoAt: suspect.alsoAt }),
      ...(suspect.snippet === undefined ? {} : { snippet: suspect.snippet }),
      ...(suspect.calledFrom === undefined ? {} : { calledFrom: suspect.calledFrom }),
      ...(suspect.allocatedIn === undefined ? {} : { allocatedIn: suspect.allocatedIn }),
      ...(suspect.keyType === 'call' ? { callSites: callMembers(suspect, suspects).map((member) => member.rank) } : {}),
      ...(suspect.retainers ? { retainers: suspect.retainers } : {}),
      series: { t: suspect.series.map((point) => point.time / 1000), bytes: suspect.series.map((point) => point.value) },
    })),
    memory: memorySeries(timeline),
    restarts: verdict.restarts.map((restart) => ({ t: restart.time / 1000, pid: restart.pid, previousPid: restart.previousPid })),
    handles: handleSeries(timeline.map((entry) => entry.sample)),
    compare: latest ? compareToStart(latest) : null,
    flame: latest ? lastFlame(latest) : null,
    processes: recordings.map((recording) => ({
      source: recording.source,
      pid: recording.header.pid,
      hostname: recording.header.hostname,
      service: recording.header.service,
      argv: redactArgv(recording.header.argv), // recordings of other agents (Python) and older ones hold argv as it was
      startTime: recording.header.startTime,
      samples: recording.samples.reduce((sum, sample) => sum + (sample.ticks ?? 1), 0), // ticks: a long recording's samples can stand for several
      ended: recording.end ? recording.end.reason : null,
    })),
  };
}

function lastTime(recording: Recording): number {
  return recording.samples[recording.samples.length - 1]?.time ?? 0;
}

function memorySeries(timeline: Array<{ sample: RecordingSample; previous: RecordingSample | undefined }>): ReportData['memory'] {
  const memory: ReportData['memory'] = { t: [], rss: [], heapTotal: [], heapUsed: [], external: [], arrayBuffers: [], nativeGap: [], majorGcs: [], minorGcs: [] };
  for (const { sample, previous } of timeline) {
    const m = sample.process.memory;
    memory.t.push(sample.time / 1000);
    memory.rss.push(m.rss);
    memory.heapTotal.push(m.heapTotal);
    memory.heapUsed.push(m.heapUsed);
    memory.external.push(m.external);
    memory.arrayBuffers.push(m.arrayBuffers);
    memory.nativeGap.push(nativeGap(m));
    memory.majorGcs.push(gcSince(sample, previous, ['major', 'gen2']));
    memory.minorGcs.push(gcSince(sample, previous, ['minor', 'gen0', 'gen1']));
  }
  return memory;
}

function gcSince(sample: RecordingSample, previous: RecordingSample | undefined, kinds: string[]): number {
  if (!previous) return 0;
  let total = 0;
  for (const kind of kinds) {
    const now = sample.process.gc?.[kind]?.count ?? 0;
    const before = previous.process.gc?.[kind]?.count ?? 0;
    total += Math.max(0, now - before);
  }
  return total;
}

function handleSeries(samples: RecordingSample[]): ReportData['handles'] {
  const peaks = new Map<string, number>();
  for (const sample of samples) {
    for (const [type, count] of Object.entries(sample.process.handles ?? {})) peaks.set(type, Math.max(peaks.get(type) ?? 0, count));
  }
  const types = [...peaks.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, HANDLE_TYPES).map(([type]) => type);
  const series = types.map((type) => ({ type, values: samples.map((sample) => (sample.process.handles ? (sample.process.handles[type] ?? 0) : null)) }));
  if (samples.some((sample) => sample.process.openFds !== undefined)) {
    series.push({ type: 'open file descriptors', values: samples.map((sample) => sample.process.openFds ?? null) });
  }
  return { t: samples.map((sample) => sample.time / 1000), series };
}

function compareToStart(recording: Recording): ReportData['compare'] {
  const first = recording.samples[0]!;
  const last = recording.samples[recording.samples.length - 1]!;
  const start = snapshotOfSample(recording, first);
  const end = snapshotOfSample(recording, last);
  const rows = {} as Record<(typeof COMPARE_KEYS)[number], CompareRow[]>;
  for (const keyType of COMPARE_KEYS) {
    rows[keyType] = end
      .compareTo(start, keyType)
      .slice(0, COMPARE_ROWS)
      .map((diff) => {
        const frame = diff.traceback.mostRecent;
        return {
          file: frame?.file ?? '',
          line: frame?.line ?? 0,
          function: frame?.functionName ?? '',
          size: Math.round(diff.size),
          sizeDiff: Math.round(diff.sizeDiff),
          count: Math.round(diff.count * 1000) / 1000,
          countDiff: Math.round(diff.countDiff * 1000) / 1000,
        };
      });
  }
  return { pid: recording.header.pid, from: new Date(first.time).toISOString(), to: new Date(last.time).toISOString(), sampled: end.sampled, rows };
}

function lastFlame(recording: Recording): ReportData['flame'] {
  const last = recording.samples[recording.samples.length - 1]!;
  return { takenAt: new Date(last.time).toISOString(), pid: recording.header.pid, root: flameTree(snapshotOfSample(recording, last)) };
}
