import type { Command } from './command.js';
import { writeOutput } from './write-output.js';
import { CliError, EXIT } from './cli-error.js';
import { parseOptions } from './parse-options.js';
import { formatSize } from '../model/size-format.js';
import { snapshotToPprof } from '../formats/pprof.js';
import { snapshotToHeapProfile } from '../formats/heapprofile.js';
import { describePicked, openSnapshots, parseChoice } from './snapshot-input.js';

const USAGE = `Usage: heapsleuth export <recording|profile> --format pprof|heapprofile -o FILE [--at INDEX|TIME]

Writes one snapshot in a format other tools read: a gzipped pprof heap profile
(go tool pprof -top heap.pb.gz, Pyroscope, Datadog, Grafana) or a Chrome .heapprofile
(DevTools' Memory panel, speedscope).

Options:
  --format FORMAT    pprof or heapprofile (default: from the name of -o: .pb.gz and .pb
                     are pprof, .heapprofile is heapprofile)
  -o, --output FILE  where to write it; - for stdout
  --at INDEX|TIME    which sample of a recording: an index (0 = first, -1 = last, the
                     default) or an ISO time, UTC unless it has a zone (the latest sample
                     at or before it)
  -h, --help         show this help

Examples:
  heapsleuth export .heapsleuth/api-4121.ndjson --at -1 -o heap.pb.gz
  heapsleuth export .heapsleuth/api-4121.ndjson --at 2024-05-01T12:00:00Z -o api.heapprofile`;

const FORMATS = ['pprof', 'heapprofile'] as const;
type ExportFormat = (typeof FORMATS)[number];

export const command: Command = {
  name: 'export',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseOptions(
      args,
      { at: { type: 'string' }, format: { type: 'string' }, output: { type: 'string', short: 'o' } },
      'export',
    );
    if (positionals.length !== 1) throw new CliError(`export: takes one file, got ${positionals.length}. See 'heapsleuth export --help'.`);
    const output = values.output;
    if (!output) throw new CliError("export: name the output file with -o FILE (or -o - for stdout). See 'heapsleuth export --help'.");
    const format = exportFormat(values.format, output);
    const picked = openSnapshots(positionals[0], 'export', [parseChoice(values.at)]).pick(0);
    const bytes = format === 'pprof' ? snapshotToPprof(picked.snapshot) : Buffer.from(JSON.stringify(snapshotToHeapProfile(picked.snapshot)));
    if (output === '-') {
      process.stdout.write(bytes);
      return EXIT.ok;
    }
    writeOutput(output, bytes, 'export');
    process.stderr.write(
      `heapsleuth: wrote ${output} (${format}, ${picked.snapshot.traces.length} stacks, ${formatSize(picked.snapshot.totalSize)} live) from ${describePicked(picked)}\n`,
    );
    return EXIT.ok;
  },
};

function exportFormat(text: string | undefined, output: string): ExportFormat {
  if (text !== undefined) {
    if (!(FORMATS as readonly string[]).includes(text)) throw new CliError(`--format: unknown format ${JSON.stringify(text)}; use pprof or heapprofile`);
    return text as ExportFormat;
  }
  if (/\.pb(\.gz)?$|\.pprof$/i.test(output)) return 'pprof';
  if (/\.heapprofile$/i.test(output)) return 'heapprofile';
  throw new CliError('--format: say pprof or heapprofile (it cannot be told from the output name)');
}
