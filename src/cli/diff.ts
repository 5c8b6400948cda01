import type { Command } from './command.js';
import { CliError, EXIT } from './cli-error.js';
import { parseOptions } from './parse-options.js';
import { neutralise } from '../report/terminal-text.js';
import { formatCount, formatSize } from '../model/size-format.js';
import type { KeyType } from '../model/grouping.js';
import { describePicked, groupJSON, KEY_OPTIONS, openSnapshots, parseChoice, parseKeyType, parseLimit, pickedJSON, type PickedSnapshot } from './snapshot-input.js';

const USAGE = `Usage: heapsleuth diff <old> <new> [options]
       heapsleuth diff <recording> [--from I|TIME] [--to J|TIME] [options]

Prints what changed between two snapshots, biggest change first, as tracemalloc's
snapshot.compare_to() does. Two files: the last snapshot of each (or --from in the
old one, --to in the new one). One recording: its first and last samples by default.
Reads recordings (.ndjson), pprof heap profiles (.pb.gz, .pb), Chrome .heapprofile
files and heapsleuth snapshot dumps, in any mix.

Options:
  --from INDEX|TIME  the old snapshot: an index (0 = first, -1 = last) or an ISO time,
                     UTC unless it has a zone (the latest sample at or before it)
  --to INDEX|TIME    the new snapshot, the same way
  --key KEY          group by filename, lineno (default), function or traceback
  --cumulative       count each stack for every frame in it, not only the one to blame
  --limit N          lines to print (default 10; 0 for all)
  --json             print JSON instead of text
  -h, --help         show this help

Examples:
  heapsleuth diff .heapsleuth/api-4121.ndjson --key filename
  heapsleuth diff .heapsleuth/api-4121.ndjson --from 2024-05-01T12:00:00Z --to -1
  heapsleuth diff heap-0900.pb.gz heap-1700.pb.gz --limit 20`;

const KEY_NOUNS: Record<KeyType, string> = { filename: 'files', lineno: 'lines', function: 'functions', traceback: 'tracebacks' };

export const command: Command = {
  name: 'diff',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseOptions(args, { from: { type: 'string' }, to: { type: 'string' }, ...KEY_OPTIONS }, 'diff');
    if (positionals.length === 0 || positionals.length > 2) {
      throw new CliError(`diff: takes one recording or two files, got ${positionals.length}. See 'heapsleuth diff --help'.`);
    }
    const cumulative = values.cumulative;
    const keyType = parseKeyType(values.key, cumulative);
    const limit = parseLimit(values.limit);
    const [older, newer] = pickPair(positionals, values.from, values.to);
    const diffs = newer.snapshot.compareTo(older.snapshot, keyType, { cumulative });
    const shown = diffs.slice(0, limit);
    const totalSize = newer.snapshot.totalSize;
    const totalSizeDiff = totalSize - older.snapshot.totalSize;
    const totalCount = newer.snapshot.totalCount;
    const totalCountDiff = totalCount - older.snapshot.totalCount;

    if (values.json) {
      const result = {
        old: pickedJSON(older),
        new: pickedJSON(newer),
        keyType,
        cumulative,
        sampled: newer.snapshot.sampled,
        totalSize: Math.round(totalSize),
        totalSizeDiff: Math.round(totalSizeDiff),
        totalCount: Math.round(totalCount),
        totalCountDiff: Math.round(totalCountDiff),
        groups: diffs.length,
        diffs: shown.map((diff, i) => ({
          rank: i + 1,
          ...groupJSON(diff, keyType === 'traceback'),
          size: Math.round(diff.size),
          sizeDiff: Math.round(diff.sizeDiff),
          count: Math.round(diff.count),
          countDiff: Math.round(diff.countDiff),
        })),
      };
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return EXIT.ok;
    }

    const lines = [
      `Top ${shown.length} differences by ${KEY_NOUNS[keyType]}${cumulative ? ' (cumulative)' : ''}`,
      `  from ${describePicked(older)}`,
      `  to   ${describePicked(newer)}`,
    ];
    for (const diff of shown) {
      lines.push(String(diff));
      if (keyType === 'traceback') lines.push(...diff.traceback.format(undefined, true).map((line) => `  ${line}`));
    }
    const countLabel = newer.snapshot.sampled ? 'samples' : 'count';
    lines.push(
      `Total: size=${formatSize(totalSize)} (${formatSize(totalSizeDiff, true)}), ${countLabel}=${formatCount(totalCount)} (${formatCount(totalCountDiff, true)})`,
    );
    // Names come from profiles: shown as text, never as terminal escapes or reordered characters.
    process.stdout.write(lines.map(neutralise).join('\n') + '\n');
    return EXIT.ok;
  },
};

function pickPair(paths: string[], from: string | undefined, to: string | undefined): [PickedSnapshot, PickedSnapshot] {
  if (paths.length === 1) {
    const file = openSnapshots(paths[0], 'diff', [parseChoice(from, 0), parseChoice(to, -1)]);
    if (file.count < 2 && from === undefined && to === undefined) {
      throw new CliError(`${file.source}: holds ${file.count} snapshot${file.count === 1 ? '' : 's'}; diff needs two (name two files, or a recording with two samples or more)`);
    }
    return [file.pick(0), file.pick(1)];
  }
  const older = parseChoice(from, -1);
  const newer = parseChoice(to, -1);
  return [openSnapshots(paths[0], 'diff', [older]).pick(0), openSnapshots(paths[1], 'diff', [newer]).pick(0)];
}
