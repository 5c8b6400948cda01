import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian, Ubuntu, Fedora and Alpine put jemalloc's shared library. */
const CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2',
  '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2',
  '/usr/lib64/libjemalloc.so.2',
  '/usr/lib/libjemalloc.so.2',
  '/usr/local/lib/libjemalloc.so.2',
];

export const INSTALL_HINT = 'apt-get install -y libjemalloc2';

export interface NativeSettings {
  /** Mean bytes between sampled allocations (rounded to a power of two). Default 512 KiB. */
  samplingBytes: number;
  /** Bytes allocated between dumps (rounded to a power of two). Default 256 MiB. */
  dumpEveryBytes: number;
  /** jemalloc's `prof_prefix`: the folder and file name start of the dumps. */
  prefix: string;
}

export const DEFAULT_NATIVE_SAMPLING = 512 * 1024;
export const DEFAULT_NATIVE_DUMP_EVERY = 256 * 1024 * 1024;

export type JemallocLookup = { ok: true; library: string } | { ok: false; message: string };

/**
 * A jemalloc with heap profiling: `HEAPSLEUTH_JEMALLOC` when set, else the usual library
 * paths. It must accept `prof:true` (a build without `--enable-prof` prints "Invalid conf pair").
 */
export function findJemalloc(env: NodeJS.ProcessEnv = process.env): JemallocLookup {
  const named = env['HEAPSLEUTH_JEMALLOC'];
  const library = named || CANDIDATES.find((path) => existsSync(path));
  if (!library || !existsSync(library)) {
    return { ok: false, message: `--native needs jemalloc with heap profiling, and ${named ? `${named} does not exist` : 'none was found'}: install it (${INSTALL_HINT}) or name it in HEAPSLEUTH_JEMALLOC` };
  }
  // The proof: a small program run on it writes a heap profile at exit (`true` returns from main, so atexit runs).
  const folder = mkdtempSync(join(tmpdir(), 'heapsleuth-jemalloc-'));
  try {
    const conf = `prof:true,prof_final:true,prof_prefix:${join(folder, 'probe')}`;
    spawnSync('true', [], { env: { ...env, LD_PRELOAD: library, MALLOC_CONF: conf }, stdio: 'ignore', timeout: 10_000 });
    if (!readdirSync(folder).some((name) => name.endsWith('.heap'))) {
      return { ok: false, message: `--native: ${library} wrote no heap profile (not jemalloc, or built without --enable-prof); Debian's libjemalloc2 can: ${INSTALL_HINT}` };
    }
    return { ok: true, library };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** LD_PRELOAD and MALLOC_CONF that make the command's allocator sample and dump its live heap. */
export function jemallocEnvironment(library: string, settings: NativeSettings, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const conf = [
    'prof:true',
    `lg_prof_sample:${log2(settings.samplingBytes)}`,
    `lg_prof_interval:${log2(settings.dumpEveryBytes)}`,
    'prof_final:true',
    `prof_prefix:${settings.prefix}`,
  ].join(',');
  return {
    LD_PRELOAD: [library, base['LD_PRELOAD']].filter(Boolean).join(' '),
    // Options the user set come last, so they win.
    MALLOC_CONF: [conf, base['MALLOC_CONF']].filter(Boolean).join(','),
  };
}

function log2(bytes: number): number {
  return Math.max(0, Math.round(Math.log2(Math.max(1, bytes))));
}
