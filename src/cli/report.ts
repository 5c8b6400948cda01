import type { Recording } from '../formats/recording.js';
import type { Verdict } from '../analysis/verdict.js';
import { renderHtmlReport } from '../report/html.js';
import { neutralise } from '../report/terminal-text.js';
import type { Command } from './command.js';
import { CliError, EXIT } from './cli-error.js';
import { parseOptions } from './parse-options.js';
import { readRecordings, requireSamples } from './read-recordings.js';
import { serviceVerdicts } from './service-verdicts.js';
import { writeOutput } from './write-output.js';

const USAGE = `Usage: heapsleuth report <recording|folder...> -o FILE [options]

Writes one self-contained HTML report (works offline, no network requests): memory over
time with GC and restarts, the verdict and its suspects with their growth and traceback,
a compare-to-start table by file, line or function, handles by type, and a flame graph
of live allocations at the last sample.

Options:
  -o, --output FILE   where to write the report (required)
  --service NAME      which service to report when the recordings hold several
  --all-runs          in a folder of run folders, read every run, not only the newest
  -h, --help          show this help

Examples:
  heapsleuth report .heapsleuth/ -o report.html
  heapsleuth report .heapsleuth/checkout-4242-*.ndjson -o checkout.html`;

export const command: Command = {
  name: 'report',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseOptions(args, { output: { type: 'string', short: 'o' }, service: { type: 'string' }, 'all-runs': { type: 'boolean', default: false } }, 'report');
    const output = values.output;
    if (!output) throw new CliError("report: name the output file with -o, e.g. 'heapsleuth report .heapsleuth/ -o report.html'");
    const recordings = readRecordings(positionals, { allRuns: values['all-runs'] });
    requireSamples(recordings);
    const { verdict, group, others } = pickService(recordings, values.service);
    writeOutput(output, renderHtmlReport(verdict, group), 'report');
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

/** The service named, or else the most important one (serviceVerdicts' order). */
function pickService(recordings: Recording[], wanted: string | undefined): { verdict: Verdict; group: Recording[]; others: string[] } {
  const judged = serviceVerdicts(wanted === undefined ? recordings : recordings.filter((recording) => recording.header.service === wanted));
  const [first, ...rest] = judged;
  if (!first) {
    const names = [...new Set(recordings.map((recording) => JSON.stringify(recording.header.service)))];
    throw new CliError(`report: no recording of service ${JSON.stringify(wanted)}; the recordings hold ${names.join(', ')}`);
  }
  return { verdict: first.verdict, group: first.recordings, others: rest.map((entry) => entry.verdict.service) };
}
