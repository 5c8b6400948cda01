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
      const final = `${base}.final.heapsnapshot`;
      if (!existsSync(early) || !existsSync(final)) continue;
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

function readCosts(path: string): CostEntry[] {
  try {
    const entries = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return Array.isArray(entries) ? (entries as CostEntry[]) : [];
  } catch {
    return [];
  }
}
