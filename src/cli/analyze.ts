import type { Command } from './command.js';
import { analyzeFleet } from './analyze-fleet.js';
import { CliError, EXIT } from './cli-error.js';
import { parseOptions } from './parse-options.js';
import { readRecordings, requireSamples } from './read-recordings.js';
import { judge } from './judge.js';
import { attachRunRetainers } from './run-retainers.js';

const USAGE = `Usage: heapsleuth analyze <recording|folder...> [options]

Reads recordings (files, or folders: the agent's .heapsleuth/ with its .ndjson files,
or the newest of the run folders 'heapsleuth run' writes there) and prints the leak verdict: the allocation sites whose live memory grows, native and off-heap growth,
leaked handles, restarts, and the time until the memory limit. Heap snapshots that
'heapsleuth run' wrote beside a recording (once it saw a leak, or with --retainers) add who keeps each suspect's
objects alive.

Options:
  --json [FILE]      print the JSON verdict (to FILE, or to stdout with --json or --json -)
  --html FILE        also write the HTML report
  --fail-on-leak     exit with code 1 when the verdict is 'leak'
  --all-runs         in a folder of run folders, read every run, not only the newest
  -h, --help         show this help

A fleet, from Prometheus (the agent's metrics, docs/metrics.md), instead of recordings:
  --prometheus URL   the Prometheus (or Thanos, Mimir, VictoriaMetrics) query API
  --job NAME         the scrape job of the service (required with --prometheus)
  --since DURATION   how far back to read (default 1d)
  --until TIME       the end of the window (ISO time or epoch seconds; default now)
  --step DURATION    the resolution read (default: the window over 500 points)
  --by LABEL         the label naming versions (default: version, else a label that
                     changes when processes restart)
  --warmup DURATION  leave out the first DURATION of every process lifetime (caches
                     that fill after each deploy; default 0)
  --warmup-share F   leave out also the first share F (0-1) of every lifetime: a leak
                     still rises in the later part, a warm-up does not (default 0)

Examples:
  heapsleuth analyze .heapsleuth/
  heapsleuth analyze .heapsleuth/ --json > verdict.json
  heapsleuth analyze .heapsleuth/ --all-runs --json verdict.json
  heapsleuth analyze --prometheus http://127.0.0.1:9090 --job checkout --since 7d --json fleet.json`;

export const command: Command = {
  name: 'analyze',
  usage: USAGE,
  async run(args) {
    const normalized = jsonValueJoined(args);
    const { values, positionals } = parseOptions(
      normalized,
      {
        json: { type: 'string' },
        html: { type: 'string' },
        'fail-on-leak': { type: 'boolean', default: false },
        'all-runs': { type: 'boolean', default: false },
        prometheus: { type: 'string' },
        job: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        step: { type: 'string' },
        by: { type: 'string' },
        warmup: { type: 'string' },
        'warmup-share': { type: 'string' },
      },
      'analyze',
    );
    if (values.prometheus !== undefined) {
      if (positionals.length > 0) throw new CliError('analyze: give recordings or --prometheus, not both');
      const leak = await analyzeFleet({ ...values, warmupShare: values['warmup-share'], prometheus: values.prometheus });
      return leak && values['fail-on-leak'] ? EXIT.leak : EXIT.ok;
    }
    const recordings = readRecordings(positionals, { allRuns: values['all-runs'] });
    requireSamples(recordings);
    // Heap snapshots written by `run` beside a recording add its retainer paths.
    const judged = await judge(recordings, { json: values.json, html: values.html }, positionals, attachRunRetainers);
    return judged.leak && values['fail-on-leak'] ? EXIT.leak : EXIT.ok;
  },
};

/** `--json` alone means stdout; it takes the next word only when that is `-` or names a .json file. */
function jsonValueJoined(args: string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (args[i] !== '--json') joined.push(args[i]!);
    else if (next !== undefined && (next === '-' || /\.json$/i.test(next))) {
      joined.push(`--json=${next}`);
      i++;
    } else joined.push('--json=-');
  }
  return joined;
}
