import { isAllocatorFrame } from './allocator-frames.js';
import type { MappedRange } from './heap-dump.js';
import { JIT_LIBRARY, type NativeFrame, type Symbolizer } from './symbolizer.js';

export interface NativeStack {
  /** Frames from the one to blame outwards: the allocator and its wrappers are cut off. */
  frames: NativeFrame[];
  /** The native stack ends where JavaScript (JIT code or V8's builtins) called in: unwinding stops there. */
  endsInJit: boolean;
}

/**
 * A dump's stack (innermost first, jemalloc's own frames first) as the frames a person
 * can act on: allocator frames and wrappers (`malloc`, `operator new`, `CRYPTO_zalloc`,
 * `uv__malloc`, ...) are skipped, and the stack is cut where JIT code begins.
 */
export function nativeStack(pcs: readonly bigint[], maps: readonly MappedRange[], symbolizer: Symbolizer): NativeStack {
  const frames: NativeFrame[] = [];
  let endsInJit = false;
  let inAllocator = true;
  for (const pc of pcs) {
    const frame = symbolizer.frameAt(pc, maps);
    if (frame.library === JIT_LIBRARY || frame.function.startsWith('Builtins_')) {
      endsInJit = true;
      break;
    }
    if (inAllocator && isAllocatorFrame(frame.library, frame.function)) continue;
    inAllocator = false;
    frames.push(frame);
  }
  return { frames, endsInJit };
}
