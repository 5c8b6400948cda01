/**
 * The snapshot's `strings`, kept as their UTF-8 bytes end to end with an offset per string
 * and decoded when asked: millions of short JS strings would take three to four times the
 * bytes. Only names on shown paths and a few constructor names are ever decoded.
 */
export class StringTable {
  private bytes = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  private offsets = new Uint32Array(1 << 16);
  private count = 0;

  /**
   * Makes room for strings whose JSON text takes at most `jsonBytes` (the rest of the file):
   * no growing copies, and the pages of an allocation never written are never resident.
   */
  reserve(jsonBytes: number): void {
    if (jsonBytes > this.bytes.length) {
      const bytes = Buffer.allocUnsafe(jsonBytes);
      this.bytes.copy(bytes, 0, 0, this.used);
      this.bytes = bytes;
    }
    // Each string takes at least three bytes of JSON: two quotes and a comma.
    const count = Math.ceil(jsonBytes / 3) + 2;
    if (count > this.offsets.length) {
      const offsets = new Uint32Array(count);
      offsets.set(this.offsets.subarray(0, this.count + 1));
      this.offsets = offsets;
    }
  }

  static from(strings: string[]): StringTable {
    const table = new StringTable();
    for (const text of strings) table.pushString(text);
    return table;
  }

  get length(): number {
    return this.count;
  }

  get(index: number): string | undefined {
    if (index >= this.count) return undefined;
    return this.bytes.toString('utf8', this.offsets[index]!, this.offsets[index + 1]!);
  }

  /** Whether string `index` is a non-empty run of ASCII digits (an index written as a name), read from its bytes. */
  isDigits(index: number): boolean {
    if (index >= this.count) return false;
    const start = this.offsets[index]!;
    const end = this.offsets[index + 1]!;
    if (start === end) return false;
    const bytes = this.bytes;
    for (let i = start; i < end; i++) if (bytes[i]! - 0x30 >>> 0 > 9) return false;
    return true;
  }

  /** Appends the string whose UTF-8 bytes are `source[start..end)`. */
  pushBytes(source: Uint8Array, start: number, end: number): void {
    const size = end - start;
    if (this.used + size > this.bytes.length) {
      let capacity = this.bytes.length * 2;
      while (capacity < this.used + size) capacity *= 2;
      const grown = Buffer.allocUnsafe(capacity);
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    if (size <= 32) {
      // A view per string to copy a few bytes costs more than the copy.
      const bytes = this.bytes;
      let at = this.used;
      for (let i = start; i < end; i++) bytes[at++] = source[i]!;
    } else {
      this.bytes.set(source.subarray(start, end), this.used);
    }
    this.used += size;
    if (this.count + 2 > this.offsets.length) {
      const grown = new Uint32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.count++;
    this.offsets[this.count] = this.used;
  }

  pushString(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    this.pushBytes(bytes, 0, bytes.length);
  }

  toArray(): string[] {
    return Array.from({ length: this.count }, (_, i) => this.get(i)!);
  }
}
