import { existsSync, readFileSync } from 'node:fs';
import type { ServiceVerdict } from './service-verdicts.js';
import { attachRetainers } from '../analysis/retainer-join.js';
import { findRetainers } from '../snapshots/find-retainers.js';
import { formatSize } from '../model/size-format.js';
import { neutralise } from '../report/terminal-text.js';

/** How many groups are matched against the suspects (more than are ever shown). */
const GROUPS_TO_MATCH = 50;

interface CostEntry {
  label: string;
  pauseMs?: number;
  fileBytes?: number;
  heapUsedBytes?: number;
  rssBeforeBytes?: number;
  peakRssBytes?: number;
  refused?: string;
}

/**
 * After `run --retainers`: for each recording with an early and a final heap snapshot
 * beside it, finds the new survivors' retainer groups and attaches them to the suspects.
 * What the snapshots cost the target and what finding the paths took go to stderr.
 */
export async function attachRunRetainers(judged: ServiceVerdict[]): Promise<void> {
  for (const entry of judged) {
    for (const recording of entry.recordings) {
      const base = recording.source.replace(/\.ndjson$/, '');
      for (const cost of readCosts(`${base}.heapsnapshots.json`)) {
        const line = cost.refused
          ? `heap snapshot (${cost.label}) ${cost.refused.startsWith('failed') ? cost.refused : `not taken: ${cost.refused}`}`
          : `heap snapshot (${cost.label}): paused the process ${cost.pauseMs} ms, ${formatSize(cost.fileBytes ?? 0)} file, peak RSS ${formatSize(cost.peakRssBytes ?? 0)} (${formatSize(cost.rssBeforeBytes ?? 0)} before, ${formatSize(cost.heapUsedBytes ?? 0)} heap)`;
        process.stderr.write(`heapsleuth: ${neutralise(line)}\n`);
      }
      const early = `${base}.early.heapsnapshot`;
      const chosen = laterSnapshot(base, readCosts(`${base}.heapsnapshots.json`));
      if (!existsSync(early) || !chosen) continue;
      const final = chosen.file;
      if (chosen.why) process.stderr.write(`heapsleuth: ${neutralise(chosen.why)}\n`);
      const started = performance.now();
      try {
        const report = await findRetainers(final, { baseline: early, cwd: recording.header.cwd, limit: GROUPS_TO_MATCH });
        entry.verdict = attachRetainers(entry.verdict, report);
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

function readCosts(path: string): CostEntry[] {
  try {
    const entries = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return Array.isArray(entries) ? (entries as CostEntry[]) : [];
  } catch {
    return [];
  }
}
