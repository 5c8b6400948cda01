import { existsSync, readFileSync } from 'node:fs';
import type { ServiceVerdict } from './service-verdicts.js';
import { attachRetainers } from '../analysis/retainer-join.js';
import { findRetainers } from '../snapshots/find-retainers.js';
import { formatSize } from '../model/size-format.js';
import { neutralise } from '../report/terminal-text.js';
import { formatConfidence } from '../report/finding-format.js';
import { retainersRequestPath } from '../agent/heap-snapshots.js';

/** How many groups are matched against the suspects (more than are ever shown). */
const GROUPS_TO_MATCH = 50;

interface CostEntry {
  label: string;
  time?: string;
  skipped?: string;
  pauseMs?: number;
  fileBytes?: number;
  heapUsedBytes?: number;
  rssBeforeBytes?: number;
  peakRssBytes?: number;
  refused?: string;
}

/**
 * After `run` (and `analyze` of a run's folder): for each recording with an early and a
 * final heap snapshot beside it, finds the new survivors' retainer groups and attaches them
 * to the suspects. Why the snapshots started (a leak seen while it ran, `run`'s default),
 * what they cost the target and what finding the paths took go to stderr.
 */
export async function attachRunRetainers(judged: ServiceVerdict[]): Promise<void> {
  for (const entry of judged) {
    for (const recording of entry.recordings) {
      const base = recording.source.replace(/\.ndjson$/, '');
      const request = readRequest(retainersRequestPath(base));
      const costs = readCosts(`${base}.heapsnapshots.json`);
      if (request && !costs.some((cost) => cost.skipped)) {
        const when = `sample ${request.sample}, ${request.elapsedSeconds} s in`;
        const line =
          costs.length === 0
            ? `a leak was seen at ${when} (${request.suspect}), but the command stopped before its next tick: no heap snapshots`
            : `a leak was seen at ${when} (${request.suspect}, confidence ${formatConfidence(request.confidence)}): heap snapshots from then on, retainer paths of the objects allocated since`;
        process.stderr.write(`heapsleuth: ${neutralise(line)}\n`);
      }
      for (const cost of costs) {
        const line = cost.skipped
          ? `retainer paths skipped: ${cost.refused ?? cost.skipped} (use --retainers to force)`
          : cost.refused
            ? `heap snapshot (${cost.label}) ${cost.refused.startsWith('failed') ? cost.refused : `not taken: ${cost.refused}`}`
            : `heap snapshot (${cost.label}): paused the process ${cost.pauseMs} ms, ${formatSize(cost.fileBytes ?? 0)} file, peak RSS ${formatSize(cost.peakRssBytes ?? 0)} (${formatSize(cost.rssBeforeBytes ?? 0)} before, ${formatSize(cost.heapUsedBytes ?? 0)} heap)`;
        process.stderr.write(`heapsleuth: ${neutralise(line)}\n`);
      }
      const early = `${base}.early.heapsnapshot`;
      const chosen = laterSnapshot(base, costs);
      if (!existsSync(early) || !chosen) continue;
      const final = chosen.file;
      if (chosen.why) process.stderr.write(`heapsleuth: ${neutralise(chosen.why)}\n`);
      const started = performance.now();
      try {
        const report = await findRetainers(final, { baseline: early, cwd: recording.header.cwd, limit: GROUPS_TO_MATCH });
        const since = costs.find((cost) => cost.label === 'early' && cost.time !== undefined && cost.refused === undefined)?.time;
        entry.verdict = attachRetainers(entry.verdict, report, since === undefined ? undefined : Date.parse(since));
        if (since) {
          entry.verdict.retainerSnapshots = {
            mode: request ? 'auto' : 'start',
            since,
            ...(request ? { trigger: { suspect: request.suspect, confidence: request.confidence, sample: request.sample } } : {}),
          };
        }
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        process.stderr.write(`heapsleuth: retainer paths of ${report.objects} new objects (${formatSize(report.bytes)}) in ${seconds} s: ${neutralise(final)}\n`);
      } catch (error) {
        process.stderr.write(`heapsleuth: no retainer paths: ${neutralise(error instanceof Error ? error.message : String(error))}\n`);
      }
    }
  }
}

/** The heap shrank this much from the last late snapshot to the final one: the program tore down. */
const TEARDOWN_SHRINK = 0.9;

/**
 * The snapshot to compare with the early one: the final one, unless the program freed
 * much of its heap on the way out (a command that tears down before it exits), whose
 * leak is then only in the last snapshot of the running phase.
 */
function laterSnapshot(base: string, costs: CostEntry[]): { file: string; why?: string } | undefined {
  const final = `${base}.final.heapsnapshot`;
  const late = `${base}.late.heapsnapshot`;
  const heapOf = (label: string) => costs.filter((cost) => cost.label === label && cost.heapUsedBytes !== undefined).at(-1)?.heapUsedBytes;
  const finalHeap = heapOf('final');
  const lateHeap = heapOf('late');
  // A final snapshot without its entry in the cost log was cut short (the process was killed while writing it).
  const finalDone = finalHeap !== undefined && existsSync(final);
  if (existsSync(late) && (!finalDone || (lateHeap !== undefined && finalHeap < lateHeap * TEARDOWN_SHRINK))) {
    const why = finalDone
      ? `the heap shrank from ${formatSize(lateHeap ?? 0)} to ${formatSize(finalHeap)} at the end (teardown): retainer paths from the last snapshot while it ran`
      : 'no complete final heap snapshot: retainer paths from the last one while it ran';
    return { file: late, why };
  }
  return existsSync(final) ? { file: final } : undefined;
}

interface RequestEntry {
  sample: number;
  elapsedSeconds: number;
  suspect: string;
  confidence: number;
}

/** What `run` wrote when it asked for snapshots (RetainerTrigger), or undefined. */
function readRequest(path: string): RequestEntry | undefined {
  try {
    const entry = JSON.parse(readFileSync(path, 'utf8')) as Partial<RequestEntry>;
    if (typeof entry.sample !== 'number' || typeof entry.suspect !== 'string' || typeof entry.confidence !== 'number') return undefined;
    return { sample: entry.sample, elapsedSeconds: entry.elapsedSeconds ?? 0, suspect: entry.suspect, confidence: entry.confidence };
  } catch {
    return undefined;
  }
}

function readCosts(path: string): CostEntry[] {
  try {
    const entries = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return Array.isArray(entries) ? (entries as CostEntry[]) : [];
  } catch {
    return [];
  }
}
