import type { Command } from './command.js';
import { EXIT } from './cli-error.js';
import { parseOptions } from './parse-options.js';
import { readRecordings, recordingFiles, requireSamples } from './read-recordings.js';
import { announce, judge } from './judge.js';
import { streamServiceVerdicts } from './stream-verdicts.js';

const USAGE = `Usage: heapsleuth analyze <recording|folder...> [options]

Reads recordings (files, or folders of .ndjson files such as .heapsleuth/) and prints the
leak verdict: the allocation sites whose live memory grows, native and off-heap growth,
leaked handles, restarts, and the time until the memory limit.

Options:
  --json [FILE]      print the JSON verdict (to FILE, or to stdout with --json or --json -)
  --html FILE        also write the HTML report
  --fail-on-leak     exit with code 1 when the verdict is 'leak'
  -h, --help         show this help

Examples:
  heapsleuth analyze .heapsleuth/
  heapsleuth analyze .heapsleuth/*.ndjson --json > verdict.json`;

export const command: Command = {
  name: 'analyze',
  usage: USAGE,
  async run(args) {
    // `--json` alone means stdout; it takes the next word only when that names a .json file.
    const normalized = args.map((arg, i) => (arg === '--json' && !/\.json$/i.test(args[i + 1] ?? '') ? '--json=-' : arg));
    const { values, positionals } = parseOptions(
      normalized,
      { json: { type: 'string' }, html: { type: 'string' }, 'fail-on-leak': { type: 'boolean', default: false } },
      'analyze',
    );
    const outputs = { json: values.json, html: values.html };
    let judged;
    if (values.html) {
      // the report draws every sample and two snapshots: it reads the recordings whole
      const recordings = readRecordings(positionals);
      requireSamples(recordings);
      judged = await judge(recordings, outputs, positionals);
    } else {
      judged = await announce(streamServiceVerdicts(recordingFiles(positionals)), outputs, positionals);
    }
    return judged.leak && values['fail-on-leak'] ? EXIT.leak : EXIT.ok;
  },
};
