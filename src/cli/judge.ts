import { writeFileSync } from 'node:fs';
import type { Recording } from '../formats/recording.js';
import type { Verdict } from '../analysis/verdict.js';
import { analyzeRecordings } from '../analysis/analyze.js';
import { renderVerdict } from '../report/terminal-verdict.js';
import { shouldUseColor } from '../report/color.js';
import { CliError } from './cli-error.js';

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
export async function judge(recordings: Recording[], outputs: JudgeOutputs, sources: string[]): Promise<Judgement> {
  const verdicts = [...groupByService(recordings).values()].map((group) => analyzeRecordings(group)).sort(byImportance);
  const leak = verdicts.some((verdict) => verdict.verdict === 'leak');
  const [primary, ...others] = verdicts;
  if (!primary) throw new CliError('no recordings to analyse');

  if (outputs.html) {
    const { renderHtmlReport } = await import('../report/html.js');
    const service = primary.service;
    writeOutput(outputs.html, renderHtmlReport(primary, recordings.filter((recording) => recording.header.service === service)), '--html');
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
  return { verdicts, leak };
}

function groupByService(recordings: Recording[]): Map<string, Recording[]> {
  const groups = new Map<string, Recording[]>();
  for (const recording of recordings) {
    const key = `${recording.header.runtime}:${recording.header.service}`;
    groups.set(key, [...(groups.get(key) ?? []), recording]);
  }
  return groups;
}

const RANK: Record<Verdict['verdict'], number> = { leak: 0, inconclusive: 1, 'no-leak': 2 };

function byImportance(a: Verdict, b: Verdict): number {
  return RANK[a.verdict] - RANK[b.verdict] || b.window.samples - a.window.samples;
}

function writeOutput(path: string, text: string, flag: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new CliError(`${flag} ${path}: cannot write: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
