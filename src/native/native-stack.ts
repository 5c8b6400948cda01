import { isAllocatorFrame } from './allocator-frames.js';
import type { MappedRange } from './heap-dump.js';
import { JIT_LIBRARY, type NativeFrame, type Symbolizer } from './symbolizer.js';

export interface NativeStack {
  /** Frames from the one to blame outwards: the allocator and its wrappers are cut off. */
  frames: NativeFrame[];
  /** The native stack ends where JavaScript (JIT code or V8's builtins) called in: unwinding stops there. */
  endsInJit: boolean;
  /**
   * The runtime's frames an addon allocated through (`napi_create_reference` in node,
   * `PyUnicode_New` in python), innermost first: cut off so that blame goes to the addon.
   */
  via: NativeFrame[];
}

/** The runtime itself: node or python (the executable or its shared library). */
const RUNTIME = /^(lib)?(node|python\d[\d.]*m?)(\.so[\d.]*)?$/;
/** A Node addon or a Python extension module: code the user installed and can act on. */
const ADDON = /\.node$|\.cpython-[^/]*\.so$|\.abi3\.so$/;

export function isAddon(library: string): boolean {
  return ADDON.test(library);
}

/**
 * A dump's stack (innermost first, jemalloc's own frames first) as the frames a person
 * can act on: allocator frames and wrappers (`malloc`, `operator new`, `CRYPTO_zalloc`,
 * `uv__malloc`, ...) are skipped, and the stack is cut where JIT code begins. When the
 * runtime allocated on behalf of an addon (an N-API or Python C-API call), the addon is
 * blamed and the runtime frames go to `via`.
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
  const firstAddon = frames.findIndex((frame) => isAddon(frame.library));
  if (firstAddon > 0 && frames.slice(0, firstAddon).every((frame) => RUNTIME.test(baseName(frame.library)))) {
    return { frames: frames.slice(firstAddon), endsInJit, via: frames.slice(0, firstAddon) };
  }
  return { frames, endsInJit, via: [] };
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
