import { closeSync, mkdirSync, openSync, readdirSync, readSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError } from '../cli/cli-error.js';
import { formatSize } from '../model/size-format.js';
import { DumpCollector } from './dump-collector.js';
import { findJemalloc, jemallocEnvironment } from './jemalloc.js';

export interface NativeRun {
  /** What to add to the command's environment. */
  env: NodeJS.ProcessEnv;
  /** Picks up new allocator dumps into the native logs (call at each tick and once after the command exits). */
  collect(): void;
  /** After the command exited: drops the logs and dumps of processes without a recording (helpers it ran: sh, ps, ...). */
  prune(): void;
}

/**
 * `run --native`: jemalloc preloaded with heap profiling, its dumps in `<outDir>/native/`
 * and picked up by heapsleuth itself (for Node and Python commands alike), so the agent
 * of the command does not collect them too.
 */
export function nativeRun(outDir: string, settings: { samplingBytes: number; dumpEveryBytes: number }, base: NodeJS.ProcessEnv): NativeRun {
  const found = findJemalloc(base);
  if (!found.ok) throw new CliError(found.message);
  // absolute: processes the command starts may run in another folder
  const dumpDir = resolve(outDir, 'native');
  mkdirSync(dumpDir, { recursive: true, mode: 0o700 });
  const prefix = join(dumpDir, 'jeprof');
  const collector = new DumpCollector({ prefix, outDir });
  const env = { ...jemallocEnvironment(found.library, { ...settings, prefix }, base), HEAPSLEUTH_NATIVE: 'off' };
  return {
    env,
    collect: () => {
      for (const problem of collector.collect()) process.stderr.write(`heapsleuth: warning: ${problem}\n`);
    },
    prune: () => {
      pruneOrphans(outDir, dumpDir);
      // A quiet or short run allocates less than one dump interval: say how to get a series.
      const most = Math.max(0, ...collector.collected.values());
      if (most < 3) {
        process.stderr.write(
          `heapsleuth: the allocator wrote ${most} heap dump${most === 1 ? '' : 's'} (one per ${formatSize(settings.dumpEveryBytes)} allocated): too few to judge native sites; for a short run use --native-dump-every 16MiB\n`,
        );
      }
    },
  };
}

function pruneOrphans(outDir: string, dumpDir: string): void {
  try {
    const names = readdirSync(outDir);
    const recorded = new Set(names.filter((name) => name.endsWith('.ndjson')).map((name) => pidOfRecording(join(outDir, name))));
    for (const name of names) {
      const pid = /^native-(\d+)\.jsonl$/.exec(name)?.[1];
      if (pid !== undefined && !recorded.has(Number(pid))) rmSync(join(outDir, name), { force: true });
    }
    for (const name of readdirSync(dumpDir)) {
      const pid = /\.(\d+)\.\d+\.[a-z]\d*\.heap$/.exec(name)?.[1];
      if (pid !== undefined && !recorded.has(Number(pid))) rmSync(join(dumpDir, name), { force: true });
    }
  } catch {
    // what is left over only takes space
  }
}

/** The pid in a recording's header line (its first line). */
function pidOfRecording(path: string): number | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(4096);
    const text = buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0));
    return Number(/"pid":(\d+)/.exec(text)?.[1]);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
