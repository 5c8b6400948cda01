import type { Recording } from '../formats/recording.js';
import type { Verdict } from '../analysis/verdict.js';
import { renderVerdict } from '../report/terminal-verdict.js';
import { shouldUseColor } from '../report/color.js';
import { CliError } from './cli-error.js';
import { serviceVerdicts, type ServiceVerdict } from './service-verdicts.js';
import { writeOutput } from './write-output.js';

export interface JudgeOutputs {
  /** Write the JSON verdict here (`-` for stdout instead of the terminal verdict). */
  json?: string | undefined;
  /** Write the HTML report here. */
  html?: string | undefined;
}

export interface Judgement {
  verdicts: Verdict[];
  leak: boolean;
}

/**
 * Analyses recordings, one verdict per service (a `run` of `npm start` records npm and
 * the server apart), prints the verdicts and writes the JSON and HTML asked for. The
 * JSON holds the first verdict, the one with a leak or the most samples, and the
 * others under `otherServices`.
 */
export async function judge(
  recordings: Recording[],
  outputs: JudgeOutputs,
  sources: string[],
  /** Adds evidence to the verdicts before they are shown (retainer paths from heap snapshots). */
  enrich?: (judged: ServiceVerdict[]) => Promise<void>,
): Promise<Judgement> {
  const judged = serviceVerdicts(recordings);
  await enrich?.(judged);
  const verdicts = judged.map((entry) => entry.verdict);
  const leak = verdicts.some((verdict) => verdict.verdict === 'leak');
  await writeJudgement(verdicts, judged[0]?.recordings ?? [], outputs, sources);
  return { verdicts, leak };
}

/** Prints the verdicts and writes the JSON and HTML asked for; `recordings` are the first verdict's. */
export async function writeJudgement(verdicts: Verdict[], recordings: Recording[], outputs: JudgeOutputs, sources: string[]): Promise<void> {
  const [primary, ...others] = verdicts;
  if (!primary) throw new CliError('no recordings to analyse');
  if (outputs.html) {
    const { renderHtmlReport } = await import('../report/html.js');
    writeOutput(outputs.html, renderHtmlReport(primary, recordings), '--html');
  }
  if (outputs.json) {
    const document = others.length > 0 ? { ...primary, otherServices: others } : primary;
    const text = JSON.stringify(document, null, 2) + '\n';
    if (outputs.json === '-') process.stdout.write(text);
    else writeOutput(outputs.json, text, '--json');
  }
  if (outputs.json !== '-') {
    const color = shouldUseColor(process.stdout);
    for (const verdict of verdicts) {
      const options: Parameters<typeof renderVerdict>[1] = { color, recordings: sources };
      if (outputs.html) options.htmlPath = outputs.html;
      if (outputs.json) options.jsonPath = outputs.json;
      process.stdout.write(renderVerdict(verdict, options) + '\n');
    }
  }
}
