import { KEY_TYPES, type KeyType } from '../model/grouping.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Statistic, StatisticDiff } from '../model/statistic.js';
import { readSnapshotPicks, type ProfileKind, type SnapshotPicks } from '../formats/load-profile.js';
import { parseSnapshotChoice, unreadableChoiceMessage, type SnapshotChoice } from '../formats/snapshot-choice.js';
import { CliError } from './cli-error.js';

/** The options `top`, `diff` and `export` share, for util.parseArgs. */
export const KEY_OPTIONS = {
  key: { type: 'string', default: 'lineno' },
  cumulative: { type: 'boolean', default: false },
  limit: { type: 'string', default: '10' },
  json: { type: 'boolean', default: false },
} as const;

/** A snapshot picked from a file, with where it came from (for headers and JSON). */
export interface PickedSnapshot {
  source: string;
  kind: ProfileKind;
  index: number;
  /** Snapshots the file holds. */
  of: number;
  snapshot: Snapshot;
}

/** What `--at` (or `--from`, `--to`) says, checked before any file is read; `fallback` when absent. */
export function parseChoice(at: string | undefined, fallback = -1): SnapshotChoice {
  const choice = parseSnapshotChoice(at, fallback);
  if (!choice) throw new CliError(unreadableChoiceMessage(at));
  return choice;
}

/** Snapshots chosen from one file, as the commands print where they came from. */
export interface OpenedSnapshots {
  source: string;
  kind: ProfileKind;
  /** Snapshots the file holds. */
  count: number;
  /** The snapshot the i-th choice names; a CliError saying what the file holds when there is none. */
  pick(i: number): PickedSnapshot;
}

/**
 * Reads the snapshots `choices` name from a file (a recording streams by once, keeping
 * only those ticks), turning every problem into a one-line CliError. Warnings go to stderr.
 */
export function openSnapshots(path: string | undefined, command: string, choices: SnapshotChoice[]): OpenedSnapshots {
  if (!path) throw new CliError(`${command}: name a recording or profile file. See 'heapsleuth ${command} --help'.`);
  let picks: SnapshotPicks;
  try {
    picks = readSnapshotPicks(path, choices);
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
  for (const warning of picks.warnings) process.stderr.write(`heapsleuth: warning: ${warning}\n`);
  return {
    source: picks.source,
    kind: picks.kind,
    count: picks.count,
    pick(i) {
      try {
        const { index, snapshot } = picks.pick(i);
        return { source: picks.source, kind: picks.kind, index, of: picks.count, snapshot };
      } catch (error) {
        throw new CliError(error instanceof Error ? error.message : String(error));
      }
    },
  };
}

export function parseKeyType(text: string | undefined, cumulative: boolean): KeyType {
  const key = (text ?? 'lineno') as KeyType;
  if (!KEY_TYPES.includes(key)) throw new CliError(`--key: unknown key ${JSON.stringify(text)}; use one of ${KEY_TYPES.join(', ')}`);
  if (cumulative && key === 'traceback') throw new CliError('--cumulative cannot be used with --key traceback');
  return key;
}

export function parseLimit(text: string | undefined): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 0) throw new CliError(`--limit: expected a whole number of lines, got ${JSON.stringify(text)}`);
  return limit === 0 ? Infinity : limit;
}

/** `sample 3 of 12 of .heapsleuth/api-41.ndjson at 2024-05-01T12:00:00.000Z`, or the file and time for single profiles. */
export function describePicked(picked: PickedSnapshot): string {
  const where = picked.of > 1 ? `sample ${picked.index} of ${picked.of} in ${picked.source}` : `${picked.source} (${picked.kind})`;
  return `${where} at ${picked.snapshot.metadata.takenAt}`;
}

export function pickedJSON(picked: PickedSnapshot) {
  return { source: picked.source, kind: picked.kind, index: picked.index, takenAt: picked.snapshot.metadata.takenAt };
}

/** The group a statistic stands for, as JSON fields. */
export function groupJSON(item: Statistic | StatisticDiff, withTraceback: boolean) {
  const frame = item.traceback.blameFrame;
  const fields: Record<string, unknown> = { file: frame?.file ?? '', line: frame?.line ?? 0, function: frame?.functionName ?? '' };
  if (withTraceback) {
    fields['traceback'] = item.traceback.frames.map((f) => ({ file: f.file, line: f.line, function: f.functionName }));
  }
  return fields;
}
