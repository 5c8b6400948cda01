import { dirname } from 'node:path';
import { DumpCollector } from './dump-collector.js';

/** Where jemalloc writes its dumps: the last `prof_prefix` of MALLOC_CONF (later options win). */
export function profPrefixOf(mallocConf: string | undefined): string | undefined {
  let prefix: string | undefined;
  for (const pair of (mallocConf ?? '').split(',')) {
    const at = pair.indexOf(':');
    if (at > 0 && pair.slice(0, at).trim() === 'prof_prefix') prefix = pair.slice(at + 1).trim();
  }
  return prefix || undefined;
}

interface TickSource {
  readonly recordingPath: string | undefined;
  on(event: 'tick', listener: () => void): unknown;
}

/**
 * For services (no `heapsleuth run` around them): with HEAPSLEUTH_NATIVE=on and jemalloc
 * preloaded with `prof:true,prof_prefix:...`, the agent picks up this process's dumps at
 * each tick into `native-<pid>.jsonl` beside its recording. Reading a dump costs a
 * readdir and, when one is new, reading a file of some kilobytes; no call into native code.
 * Returns a problem to log, if any; never throws.
 */
export function startNativePickup(tracer: TickSource, env: NodeJS.ProcessEnv, log: (message: string) => void): void {
  try {
    if (!/^(1|true|yes|on)$/i.test(env['HEAPSLEUTH_NATIVE'] ?? '')) return;
    const prefix = profPrefixOf(env['MALLOC_CONF']);
    if (!prefix || !/(^|,)\s*prof:true/.test(env['MALLOC_CONF'] ?? '') || !/jemalloc/.test(env['LD_PRELOAD'] ?? '')) {
      log('HEAPSLEUTH_NATIVE=on needs jemalloc preloaded with heap profiling: LD_PRELOAD=.../libjemalloc.so.2 and MALLOC_CONF=prof:true,prof_prefix:<folder>/jeprof (see docs/native.md); native pickup is off');
      return;
    }
    if (!tracer.recordingPath) return;
    const collector = new DumpCollector({ prefix, outDir: dirname(tracer.recordingPath), pid: process.pid });
    tracer.on('tick', () => {
      try {
        for (const problem of collector.collect()) log(problem);
      } catch {
        // collect() does not throw; a tick must never fail because of it
      }
    });
  } catch (error) {
    log(`native pickup did not start: ${error instanceof Error ? error.message : String(error)}`);
  }
}
