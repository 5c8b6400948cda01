/**
 * jemalloc's `heap_v2` profile dump (src/prof_data.c), as written with `prof:true`:
 *
 *   heap_v2/524288                      <- the mean bytes between samples (2^lg_prof_sample)
 *     t*: 64: 10694 [0: 0]              <- live sampled objects and bytes of the whole process
 *   @ 0x7f.. 0x7f.. 0x55..              <- one stack, innermost first (jemalloc's own frames first)
 *     t*: 43: 4816 [0: 0]               <- its live sampled objects and bytes (then per thread: t0, t1, ...)
 *   MAPPED_LIBRARIES:
 *   55c0..-55c0.. r-xp 00001000 fe:00 2147301   /path/to/binary   <- /proc/self/maps
 *
 * Counts are of samples; they are unbiased here the way jeprof does it (AdjustSamples):
 * an object of mean size s is sampled with probability 1 - exp(-s / period).
 */
export interface MappedRange {
  start: bigint;
  end: bigint;
  /** File offset of `start`. */
  offset: bigint;
  path: string;
}

export interface DumpStack {
  /** Return addresses, innermost first, as jemalloc wrote them. */
  pcs: bigint[];
  /** Estimated live objects (unbiased). */
  objects: number;
  /** Estimated live bytes (unbiased). */
  bytes: number;
}

export interface HeapDump {
  /** Mean bytes between samples. */
  samplePeriod: number;
  stacks: DumpStack[];
  /** Executable file-backed mappings (what addresses are resolved against). */
  maps: MappedRange[];
}

export class HeapDumpFormatError extends Error {
  override name = 'HeapDumpFormatError';
}

const HEADER = /^heap_v2\/(\d+)\s*$/;
const TOTAL = /^\s*t\*:\s*(\d+):\s*(\d+)/;
const MAPS_LINE = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S{4})\s+([0-9a-f]+)\s+\S+\s+\d+\s+(\S.*)$/;

export function parseHeapDump(text: string, source = 'heap dump'): HeapDump {
  const lines = text.split('\n');
  const header = HEADER.exec(lines[0] ?? '');
  if (!header) throw new HeapDumpFormatError(`${source}: not a jemalloc heap_v2 dump (first line ${JSON.stringify((lines[0] ?? '').slice(0, 40))})`);
  const samplePeriod = Number(header[1]);
  const stacks: DumpStack[] = [];
  const maps: MappedRange[] = [];
  let pcs: bigint[] | undefined;
  let inMaps = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (inMaps) {
      const range = MAPS_LINE.exec(line);
      if (range && range[3]![2] === 'x' && range[5]!.startsWith('/')) {
        maps.push({ start: BigInt(`0x${range[1]}`), end: BigInt(`0x${range[2]}`), offset: BigInt(`0x${range[4]}`), path: range[5]!.trim() });
      }
      continue;
    }
    if (line.startsWith('@')) {
      pcs = line
        .slice(1)
        .trim()
        .split(/\s+/)
        .filter((word) => word.startsWith('0x'))
        .map((word) => BigInt(word));
      continue;
    }
    if (line.startsWith('MAPPED_LIBRARIES:')) {
      inMaps = true;
      continue;
    }
    const total = TOTAL.exec(line);
    if (total && pcs) {
      const { objects, bytes } = unbias(Number(total[1]), Number(total[2]), samplePeriod);
      if (objects > 0) stacks.push({ pcs, objects, bytes });
      pcs = undefined;
    }
  }
  return { samplePeriod, stacks, maps };
}

/** jeprof's AdjustSamples for heap_v2: scale by 1 / (1 - exp(-meanSize / period)). */
export function unbias(objects: number, bytes: number, samplePeriod: number): { objects: number; bytes: number } {
  if (objects === 0 || samplePeriod <= 1) return { objects, bytes };
  const scale = 1 / (1 - Math.exp(-bytes / objects / samplePeriod));
  return { objects: objects * scale, bytes: bytes * scale };
}
