import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeRecordings } from '../analysis/analyze.js';
import { readRecordings } from './read-recordings.js';
import { judge, writeJudgement, type JudgeOutputs, type Judgement } from './judge.js';
import { attachRunRetainers } from './run-retainers.js';

export interface RunJudgement extends Judgement {
  /** Not one sample was recorded: the verdict is `inconclusive` and a gate must not pass. */
  nothingRecorded: boolean;
}

/** Judges what a `run` recorded in its folder; says so plainly, with an inconclusive verdict, when nothing was. */
export async function judgeRun(outDir: string, outputs: JudgeOutputs, options: { retainers?: boolean } = {}): Promise<RunJudgement> {
  const files = existsSync(outDir) ? readdirSync(outDir).filter((name) => name.endsWith('.ndjson')).map((name) => join(outDir, name)) : [];
  const recordings = files.length === 0 ? [] : readRecordings(files);
  if (recordings.some((recording) => recording.samples.length > 0)) {
    process.stderr.write(`heapsleuth: recordings in ${outDir}\n`);
    return { ...(await judge(recordings, outputs, [outDir], options.retainers ? attachRunRetainers : undefined)), nothingRecorded: false };
  }
  const reason =
    files.length === 0
      ? `nothing was recorded in ${outDir}: the command exited before the agent's first snapshot, or it is not a Node.js or Python program`
      : `no sample was recorded in ${outDir}: the command exited before the agent's first snapshot`;
  process.stderr.write(`heapsleuth: ${reason}\n`);
  const verdict = { ...analyzeRecordings(recordings), reason };
  await writeJudgement([verdict], recordings, outputs, [outDir]);
  return { verdicts: [verdict], leak: false, nothingRecorded: true };
}
