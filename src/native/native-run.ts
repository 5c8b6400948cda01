import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../cli/cli-error.js';
import { DumpCollector } from './dump-collector.js';
import { findJemalloc, jemallocEnvironment } from './jemalloc.js';

export interface NativeRun {
  /** What to add to the command's environment. */
  env: NodeJS.ProcessEnv;
  /** Picks up new allocator dumps into the native logs (call at each tick and once after the command exits). */
  collect(): void;
}

/**
 * `run --native`: jemalloc preloaded with heap profiling, its dumps in `<outDir>/native/`
 * and picked up by heapsleuth itself (for Node and Python commands alike), so the agent
 * of the command does not collect them too.
 */
export function nativeRun(outDir: string, settings: { samplingBytes: number; dumpEveryBytes: number }, base: NodeJS.ProcessEnv): NativeRun {
  const found = findJemalloc(base);
  if (!found.ok) throw new CliError(found.message);
  const dumpDir = join(outDir, 'native');
  mkdirSync(dumpDir, { recursive: true, mode: 0o700 });
  const prefix = join(dumpDir, 'jeprof');
  const collector = new DumpCollector({ prefix, outDir });
  const env = { ...jemallocEnvironment(found.library, { ...settings, prefix }, base), HEAPSLEUTH_NATIVE: 'off' };
  return {
    env,
    collect: () => {
      for (const problem of collector.collect()) process.stderr.write(`heapsleuth: warning: ${problem}\n`);
    },
  };
}
