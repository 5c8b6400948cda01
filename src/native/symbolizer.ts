import { ElfSymbols } from './elf-symbols.js';
import { demangle } from './demangle.js';
import type { MappedRange } from './heap-dump.js';

/** One native frame as a person reads it. */
export interface NativeFrame {
  /** The file the code is in (`/usr/lib/x86_64-linux-gnu/libc.so.6`); `[jit]` for code outside any file. */
  library: string;
  /** Demangled function name; `+0x1a2b` (offset in the library) when it has no symbol. */
  function: string;
}

export const JIT_LIBRARY = '[jit]';

/**
 * Resolves return addresses to (library, function) against a process's mappings: the
 * library's `.symtab`, else its `.dynsym`, with the build-id debug file's `.symtab`
 * preferred when one is installed under /usr/lib/debug/.build-id. Files are read once.
 */
export class Symbolizer {
  private readonly files = new Map<string, ElfSymbols | undefined>();
  private readonly names = new Map<string, string>();

  constructor(private readonly debugRoot = '/usr/lib/debug/.build-id') {}

  /** `pc` is a return address: the call is the byte before it. */
  frameAt(pc: bigint, maps: readonly MappedRange[]): NativeFrame {
    const address = pc > 0n ? pc - 1n : pc;
    const range = maps.find((r) => address >= r.start && address < r.end);
    if (!range) return { library: JIT_LIBRARY, function: `0x${pc.toString(16)}` };
    const fileOffset = Number(address - range.start + range.offset);
    const symbols = this.symbolsOf(range.path);
    const raw = symbols?.functionAtOffset(fileOffset);
    if (raw === undefined) return { library: range.path, function: `+0x${fileOffset.toString(16)}` };
    let name = this.names.get(raw);
    if (name === undefined) this.names.set(raw, (name = demangle(raw)));
    return { library: range.path, function: name };
  }

  private symbolsOf(path: string): ElfSymbols | undefined {
    if (this.files.has(path)) return this.files.get(path);
    let symbols = ElfSymbols.read(path);
    if (symbols && symbols.table !== 'symtab') {
      const debugFile = ElfSymbols.debugFileOf(symbols.buildId, this.debugRoot);
      const debug = debugFile ? ElfSymbols.read(debugFile) : undefined;
      if (debug && debug.table === 'symtab') symbols = symbols.withSymbolsOf(debug);
    }
    this.files.set(path, symbols);
    return symbols;
  }
}
