import type { Command } from './command.js';
import { CliError, EXIT } from './cli-error.js';
import { parseOptions } from './parse-options.js';
import { neutralise } from '../report/terminal-text.js';
import { formatCount, formatSize } from '../model/size-format.js';
import type { KeyType } from '../model/grouping.js';
import { describePicked, groupJSON, KEY_OPTIONS, openSnapshots, parseChoice, parseKeyType, parseLimit, pickedJSON } from './snapshot-input.js';

const USAGE = `Usage: heapsleuth top <recording|profile> [options]

Prints the biggest groups of live memory at one point in time, as tracemalloc's
snapshot.statistics() does. Reads recordings (.ndjson), pprof heap profiles (.pb.gz,
.pb), Chrome .heapprofile files and heapsleuth snapshot dumps.

Options:
  --at INDEX|TIME    which sample of a recording: an index (0 = first, -1 = last, the
                     default) or an ISO time, UTC unless it has a zone (the latest sample
                     at or before it)
  --key KEY          group by filename, lineno (default), function or traceback
  --cumulative       count each stack for every frame in it, not only the one to blame
  --limit N          lines to print (default 10; 0 for all)
  --json             print JSON instead of text
  -h, --help         show this help

Examples:
  heapsleuth top .heapsleuth/api-4121.ndjson --key filename
  heapsleuth top .heapsleuth/api-4121.ndjson --at 2024-05-01T12:00:00Z --limit 20
  heapsleuth top heap.pb.gz --key traceback --limit 3`;

const KEY_NOUNS: Record<KeyType, string> = { filename: 'files', lineno: 'lines', function: 'functions', traceback: 'tracebacks' };

export const command: Command = {
  name: 'top',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseOptions(args, { at: { type: 'string' }, ...KEY_OPTIONS }, 'top');
    if (positionals.length > 1) throw new CliError(`top: takes one file, got ${positionals.length}. See 'heapsleuth top --help'.`);
    const cumulative = values.cumulative;
    const keyType = parseKeyType(values.key, cumulative);
    const limit = parseLimit(values.limit);
    const picked = openSnapshots(positionals[0], 'top', [parseChoice(values.at)]).pick(0);
    const { snapshot } = picked;
    const stats = snapshot.statistics(keyType, { cumulative });
    const shown = stats.slice(0, limit);

    if (values.json) {
      const result = {
        snapshot: pickedJSON(picked),
        keyType,
        cumulative,
        sampled: snapshot.sampled,
        totalSize: Math.round(snapshot.totalSize),
        totalCount: Math.round(snapshot.totalCount),
        groups: stats.length,
        stats: shown.map((stat, i) => ({ rank: i + 1, ...groupJSON(stat, keyType === 'traceback'), size: Math.round(stat.size), count: Math.round(stat.count) })),
      };
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return EXIT.ok;
    }

    const lines = [`Top ${shown.length} ${KEY_NOUNS[keyType]}${cumulative ? ' (cumulative)' : ''} of ${describePicked(picked)}`];
    for (const stat of shown) {
      lines.push(String(stat));
      if (keyType === 'traceback') lines.push(...stat.traceback.format(undefined, true).map((line) => `  ${line}`));
    }
    const rest = stats.slice(shown.length);
    if (rest.length > 0 && !cumulative) {
      lines.push(`${rest.length} other: size=${formatSize(rest.reduce((sum, stat) => sum + stat.size, 0))}`);
    }
    const countLabel = snapshot.sampled ? 'samples' : 'count';
    lines.push(`Total: size=${formatSize(snapshot.totalSize)}, ${countLabel}=${formatCount(snapshot.totalCount)}`);
    // Names come from profiles: shown as text, never as terminal escapes or reordered characters.
    process.stdout.write(lines.map(neutralise).join('\n') + '\n');
    return EXIT.ok;
  },
};
