import type { Command } from './command.js';
import { CliError, EXIT } from './cli-error.js';
import { parseOptions } from './parse-options.js';
import { writeOutput } from './write-output.js';
import { findRetainers } from '../snapshots/find-retainers.js';
import { HeapSnapshotError } from '../snapshots/heap-graph.js';
import { formatRetainerReport } from '../report/retainers-text.js';

const USAGE = `Usage: heapsleuth retainers <old.heapsnapshot> <new.heapsnapshot> [options]
       heapsleuth retainers <file.heapsnapshot> [options]

Why is it still alive: groups the objects that are new in the second snapshot (node id
above the first snapshot's highest) and still alive, by their shortest retainer path from
the GC roots, and ranks the groups by bytes. With one snapshot: the largest groups of
objects kept alive the same way, ranked by retained size. Both snapshots must come from
the same process (DevTools, node --heapsnapshot-signal, v8.writeHeapSnapshot or
heapsleuth run).

Options:
  --json FILE        also write the groups as JSON (- for stdout, instead of text)
  --retained         also compute retained sizes (dominator tree) and rank by them
  --limit N          groups to show (default 10)
  --cwd DIR          show paths relative to DIR (default: the current directory)
  -h, --help         show this help

Examples:
  heapsleuth retainers before.heapsnapshot after.heapsnapshot
  heapsleuth retainers before.heapsnapshot after.heapsnapshot --retained --json groups.json
  heapsleuth retainers heap.heapsnapshot --limit 5`;

export const command: Command = {
  name: 'retainers',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseOptions(
      args,
      { json: { type: 'string' }, retained: { type: 'boolean' }, limit: { type: 'string' }, cwd: { type: 'string' } },
      'retainers',
    );
    if (positionals.length < 1 || positionals.length > 2) {
      throw new CliError(`heapsleuth retainers: takes one or two .heapsnapshot files, got ${positionals.length}. See 'heapsleuth retainers --help'.`);
    }
    const limit = values.limit === undefined ? 10 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 0) throw new CliError(`heapsleuth retainers: --limit must be a whole number, got ${JSON.stringify(values.limit)}`);
    const [first, second] = positionals as [string, string | undefined];
    let report;
    try {
      report = await findRetainers(second ?? first, {
        ...(second !== undefined ? { baseline: first } : {}),
        retained: values.retained === true,
        limit: limit === 0 ? Number.MAX_SAFE_INTEGER : limit,
        cwd: values.cwd ?? process.cwd(),
      });
    } catch (error) {
      if (error instanceof HeapSnapshotError) throw new CliError(error.message);
      throw error;
    }
    const json = JSON.stringify(report, null, 2) + '\n';
    if (values.json === '-') {
      process.stdout.write(json);
      return EXIT.ok;
    }
    if (values.json !== undefined) writeOutput(values.json, json, 'heapsleuth retainers --json');
    process.stdout.write(formatRetainerReport(report) + '\n');
    return EXIT.ok;
  },
};
