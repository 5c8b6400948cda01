import type { Statistic, StatisticDiff } from '../model/statistic.js';

/** The log events of one tick, pino-style: a fields object and a message. Documented in docs/log-events.md. */
export interface TracerEvent {
  fields: Record<string, unknown>;
  message: string;
}

function site(item: Statistic | StatisticDiff) {
  const frame = item.traceback.blameFrame;
  return { file: frame?.file ?? '', line: frame?.line ?? 0, function: frame?.functionName ?? '' };
}

/** `top_current`: the `top` biggest groups now. */
export function topCurrentEvents(stats: readonly Statistic[], top: number, seq: number): TracerEvent[] {
  return stats.slice(0, top).map((stat, i) => ({
    fields: { event: 'top_current', seq, rank: i + 1, ...site(stat), keyType: stat.keyType, size: Math.round(stat.size), count: Math.round(stat.count) },
    message: `top_current #${i + 1}: ${String(stat)}`,
  }));
}

/** `since_start`: the `top` biggest changes since the first snapshot. */
export function sinceStartEvents(diffs: readonly StatisticDiff[], top: number, seq: number): TracerEvent[] {
  return diffs.slice(0, top).map((diff, i) => ({
    fields: {
      event: 'since_start',
      seq,
      rank: i + 1,
      ...site(diff),
      keyType: diff.keyType,
      size: Math.round(diff.size),
      sizeDiff: Math.round(diff.sizeDiff),
      count: Math.round(diff.count),
      countDiff: Math.round(diff.countDiff),
    },
    message: `since_start #${i + 1}: ${String(diff)}`,
  }));
}

/** `traceback`: the full stacks of the `trace` biggest growers since the start. */
export function tracebackEvents(growers: readonly StatisticDiff[], trace: number, seq: number): TracerEvent[] {
  return growers
    .filter((diff) => diff.sizeDiff > 0)
    .slice(0, trace)
    .map((diff, i) => ({
      fields: {
        event: 'traceback',
        seq,
        rank: i + 1,
        ...site(diff),
        sizeDiff: Math.round(diff.sizeDiff),
        traceback: diff.traceback.frames.map((frame) => ({ file: frame.file, line: frame.line, function: frame.functionName })),
      },
      message: `traceback #${i + 1} (${String(diff)}):\n${diff.traceback.format(undefined, true).join('\n')}`,
    }));
}
