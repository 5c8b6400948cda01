import { writeFileSync } from 'node:fs';
import type { Recording } from '../formats/recording.js';
import type { Verdict } from '../analysis/verdict.js';
import { analyzeRecordings } from '../analysis/analyze.js';
import { renderHtmlReport } from '../report/html.js';
import { neutralise } from '../report/terminal-text.js';
import type { Command } from './command.js';
import { CliError, EXIT } from './cli-error.js';
import { parseOptions } from './parse-options.js';
import { readRecordings, requireSamples } from './read-recordings.js';

const USAGE = `Usage: heapsleuth report <recording|folder...> -o FILE [options]

Writes one self-contained HTML report (works offline, no network requests): memory over
time with GC and restarts, the verdict and its suspects with their growth and traceback,
a compare-to-start table by file, line or function, handles by type, and a flame graph
of live allocations at the last sample.

Options:
  -o, --output FILE   where to write the report (required)
  --service NAME      which service to report when the recordings hold several
  -h, --help          show this help

Examples:
  heapsleuth report .heapsleuth/ -o report.html
  heapsleuth report .heapsleuth/checkout-4242-*.ndjson -o checkout.html`;

export const command: Command = {
  name: 'report',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseOptions(args, { output: { type: 'string', short: 'o' }, service: { type: 'string' } }, 'report');
    const output = values.output;
    if (!output) throw new CliError("report: name the output file with -o, e.g. 'heapsleuth report .heapsleuth/ -o report.html'");
    const recordings = readRecordings(positionals);
    requireSamples(recordings);
    const { verdict, group, others } = pickService(recordings, values.service);
    writeReport(output, renderHtmlReport(verdict, group));
    const suspects = verdict.suspects.length;
    process.stdout.write(
      `heapsleuth: wrote ${neutralise(output)} (${neutralise(verdict.service)}: ${verdict.verdict}` +
        `${suspects > 0 ? `, ${suspects} suspect${suspects === 1 ? '' : 's'}` : ''}, ${verdict.window.samples} samples)\n`,
    );
    if (others.length > 0) {
      process.stdout.write(`heapsleuth: the recordings also hold ${others.map((name) => neutralise(name)).join(', ')}; choose with --service NAME\n`);
    }
    return EXIT.ok;
  },
};

export default command;

const IMPORTANCE: Record<Verdict['verdict'], number> = { leak: 0, inconclusive: 1, 'no-leak': 2 };

/**
 * One report is about one service: the one named, or else the most important one (a
 * leak first, then the one with the most samples), since `run` of a launcher such as
 * `npm start` records the launcher and the server apart.
 */
function pickService(recordings: Recording[], wanted: string | undefined): { verdict: Verdict; group: Recording[]; others: string[] } {
  const groups = new Map<string, Recording[]>();
  for (const recording of recordings) groups.set(recording.header.service, [...(groups.get(recording.header.service) ?? []), recording]);
  if (wanted !== undefined) {
    const group = groups.get(wanted);
    if (!group) throw new CliError(`report: no recording of service ${JSON.stringify(wanted)}; the recordings hold ${[...groups.keys()].map((name) => JSON.stringify(name)).join(', ')}`);
    return { verdict: analyzeRecordings(group), group, others: [] };
  }
  const judged = [...groups.values()]
    .map((group) => ({ group, verdict: analyzeRecordings(group) }))
    .sort((a, b) => IMPORTANCE[a.verdict.verdict] - IMPORTANCE[b.verdict.verdict] || b.verdict.window.samples - a.verdict.window.samples);
  const [first, ...rest] = judged;
  if (!first) throw new CliError('report: no recordings to report on');
  return { ...first, others: rest.map((entry) => entry.verdict.service) };
}

const WRITE_ERRORS: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

function writeReport(path: string, html: string): void {
  try {
    writeFileSync(path, html);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new CliError(`report: cannot write ${neutralise(path)}: ${WRITE_ERRORS[code] ?? (code || String(error))}`);
  }
}
