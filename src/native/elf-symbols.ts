import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Function symbols of one ELF64 little-endian file (x86-64, arm64): `.symtab` when the
 * file keeps it, else `.dynsym` (what a stripped shared library exports). Looked up by
 * file offset, the way /proc/self/maps relates an address to its file.
 */
export class ElfSymbols {
  constructor(
    /** Function start addresses (virtual), sorted. */
    private readonly starts: Float64Array,
    private readonly ends: Float64Array,
    private readonly names: string[],
    /** Loadable segments: file offset -> virtual address. */
    private readonly segments: { offset: number; vaddr: number; size: number }[],
    readonly buildId: string | undefined,
    readonly table: 'symtab' | 'dynsym' | 'none',
  ) {}

  /** Reads `path`; undefined when it is not an ELF64 little-endian file or cannot be read. */
  static read(path: string): ElfSymbols | undefined {
    let fd: number | undefined;
    try {
      fd = openSync(path, 'r');
      return parse(fd, fstatSync(fd).size);
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** The separate debug file of a stripped library, when its -dbgsym package is installed. */
  static debugFileOf(buildId: string | undefined, root = '/usr/lib/debug/.build-id'): string | undefined {
    if (!buildId || buildId.length < 3) return undefined;
    const path = `${root}/${buildId.slice(0, 2)}/${buildId.slice(2)}.debug`;
    return existsSync(path) ? path : undefined;
  }

  get size(): number {
    return this.names.length;
  }

  /** The function holding the byte at `fileOffset`, or undefined. */
  functionAtOffset(fileOffset: number): string | undefined {
    const segment = this.segments.find((s) => fileOffset >= s.offset && fileOffset < s.offset + s.size);
    if (!segment) return undefined;
    return this.functionAt(fileOffset - segment.offset + segment.vaddr);
  }

  /** The function holding virtual address `address`, or undefined. */
  functionAt(address: number): string | undefined {
    let low = 0;
    let high = this.starts.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (this.starts[mid]! <= address) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    if (found < 0) return undefined;
    const end = this.ends[found]!;
    // A symbol without a size (hand-written assembly) covers up to the next one.
    if (end > this.starts[found]! && address >= end) return undefined;
    return this.names[found];
  }

  /** The same symbols found in another file of the same build (a debug file: same addresses). */
  withSymbolsOf(other: ElfSymbols): ElfSymbols {
    return new ElfSymbols(other.starts, other.ends, other.names, this.segments, this.buildId, other.table);
  }
}

const SHT_SYMTAB = 2;
const SHT_NOTE = 7;
const SHT_DYNSYM = 11;
const PT_LOAD = 1;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const NT_GNU_BUILD_ID = 3;

function parse(fd: number, fileSize: number): ElfSymbols | undefined {
  const ident = read(fd, 0, 64);
  if (ident.readUInt32BE(0) !== 0x7f454c46 || ident[4] !== 2 || ident[5] !== 1) return undefined; // ELF, 64-bit, little-endian
  const phoff = Number(ident.readBigUInt64LE(0x20));
  const shoff = Number(ident.readBigUInt64LE(0x28));
  const phentsize = ident.readUInt16LE(0x36);
  const phnum = ident.readUInt16LE(0x38);
  const shentsize = ident.readUInt16LE(0x3a);
  const shnum = ident.readUInt16LE(0x3c);
  if (shoff + shnum * shentsize > fileSize || phoff + phnum * phentsize > fileSize) return undefined;

  const segments: { offset: number; vaddr: number; size: number }[] = [];
  const programHeaders = read(fd, phoff, phnum * phentsize);
  for (let i = 0; i < phnum; i++) {
    const base = i * phentsize;
    if (programHeaders.readUInt32LE(base) !== PT_LOAD) continue;
    segments.push({
      offset: Number(programHeaders.readBigUInt64LE(base + 8)),
      vaddr: Number(programHeaders.readBigUInt64LE(base + 16)),
      size: Number(programHeaders.readBigUInt64LE(base + 32)),
    });
  }

  interface Section { type: number; offset: number; size: number; link: number; entsize: number }
  const sectionHeaders = read(fd, shoff, shnum * shentsize);
  const sections: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const base = i * shentsize;
    sections.push({
      type: sectionHeaders.readUInt32LE(base + 4),
      offset: Number(sectionHeaders.readBigUInt64LE(base + 0x18)),
      size: Number(sectionHeaders.readBigUInt64LE(base + 0x20)),
      link: sectionHeaders.readUInt32LE(base + 0x28),
      entsize: Number(sectionHeaders.readBigUInt64LE(base + 0x38)),
    });
  }
  const buildId = sections.filter((s) => s.type === SHT_NOTE).map((s) => buildIdOf(read(fd, s.offset, s.size))).find(Boolean);

  const symtab = sections.find((s) => s.type === SHT_SYMTAB && s.size > 0);
  const dynsym = sections.find((s) => s.type === SHT_DYNSYM && s.size > 0);
  const table = symtab ?? dynsym;
  const symbols: { start: number; end: number; name: string }[] = [];
  if (table && table.entsize >= 24 && sections[table.link]) {
    const strings = sections[table.link]!;
    const names = read(fd, strings.offset, strings.size);
    const entries = read(fd, table.offset, table.size);
    for (let base = 0; base + 24 <= entries.length; base += table.entsize) {
      const type = entries[base + 4]! & 0xf;
      if (type !== STT_FUNC && type !== STT_GNU_IFUNC) continue;
      const start = Number(entries.readBigUInt64LE(base + 8));
      if (start === 0) continue;
      const nameOffset = entries.readUInt32LE(base);
      const nameEnd = names.indexOf(0, nameOffset);
      const name = names.toString('latin1', nameOffset, nameEnd < 0 ? names.length : nameEnd);
      symbols.push({ start, end: start + Number(entries.readBigUInt64LE(base + 16)), name });
    }
  }
  // Sorted by start; of aliases at one address the first name read wins.
  symbols.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept = symbols.filter((symbol, i) => i === 0 || symbol.start !== symbols[i - 1]!.start);
  return new ElfSymbols(
    Float64Array.from(kept, (s) => s.start),
    Float64Array.from(kept, (s) => s.end),
    kept.map((s) => s.name),
    segments,
    buildId,
    symtab ? 'symtab' : dynsym ? 'dynsym' : 'none',
  );
}

function buildIdOf(notes: Buffer): string | undefined {
  let at = 0;
  while (at + 12 <= notes.length) {
    const nameSize = notes.readUInt32LE(at);
    const descSize = notes.readUInt32LE(at + 4);
    const type = notes.readUInt32LE(at + 8);
    const nameStart = at + 12;
    const descStart = nameStart + align4(nameSize);
    if (type === NT_GNU_BUILD_ID && notes.toString('latin1', nameStart, nameStart + 3) === 'GNU') {
      return notes.toString('hex', descStart, descStart + descSize);
    }
    at = descStart + align4(descSize);
  }
  return undefined;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function read(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buffer.subarray(0, done);
}
