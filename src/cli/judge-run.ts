import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readRecordings } from './read-recordings.js';
import { judge, type JudgeOutputs, type Judgement } from './judge.js';
import { attachRunRetainers } from './run-retainers.js';

/** Judges what a `run` recorded in its folder; says so plainly when nothing was. */
export async function judgeRun(outDir: string, outputs: JudgeOutputs, options: { retainers?: boolean } = {}): Promise<Judgement> {
  const files = existsSync(outDir) ? readdirSync(outDir).filter((name) => name.endsWith('.ndjson')).map((name) => join(outDir, name)) : [];
  if (files.length === 0) {
    process.stderr.write(
      `heapsleuth: nothing was recorded in ${outDir}: the command exited before the agent's first snapshot, or it is not a Node.js or Python program\n`,
    );
    return { verdicts: [], leak: false };
  }
  process.stderr.write(`heapsleuth: recordings in ${outDir}\n`);
  return judge(readRecordings(files), outputs, [outDir], options.retainers ? attachRunRetainers : undefined);
}
