import { constants } from 'node:os';

/** The last value of a MALLOC_CONF option (later options win, as in jemalloc). */
function confValue(mallocConf: string, name: string): string | undefined {
  let found: string | undefined;
  for (const pair of mallocConf.split(',')) {
    const at = pair.indexOf(':');
    if (at > 0 && pair.slice(0, at).trim() === name) found = pair.slice(at + 1).trim();
  }
  return found;
}

/**
 * jemalloc writes its final heap dump (`prof_final`) from a C `atexit` handler, which runs on
 * a normal exit (`process.exit` included) but not when a signal kills the process. True when
 * this process runs with jemalloc preloaded to write one: then a stop signal should end it
 * with `process.exit(128 + n)` rather than re-raise the signal, so the dump is written.
 */
export function wantsFinalDump(env: NodeJS.ProcessEnv = process.env): boolean {
  const conf = env['MALLOC_CONF'] ?? '';
  return /jemalloc/.test(env['LD_PRELOAD'] ?? '') && confValue(conf, 'prof') === 'true' && confValue(conf, 'prof_final') === 'true';
}

/** The exit status a shell reports for a death by `signal` (128 + its number). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/** The stop signal an exit status of 128 + n stands for (SIGINT, SIGTERM, SIGHUP), if it is one. */
export function signalOfExitCode(code: number | null): NodeJS.Signals | null {
  if (code === null) return null;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) if (signalExitCode(signal) === code) return signal;
  return null;
}
