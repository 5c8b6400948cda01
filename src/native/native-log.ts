import type { HeapDump, MappedRange } from './heap-dump.js';

/**
 * The native side file of a recording: `native-<pid>.jsonl` beside the process's
 * `.ndjson` recording, one JSON object per line, append-only. It holds what the
 * allocator's dumps said, unsymbolised (symbols are read when the recording is analysed,
 * on a machine with the same binaries). Documented in docs/recording-format.md.
 *
 *   {"type":"native-header","format":"heapsleuth-native","version":1,"pid":123,"samplePeriod":524288,"prefix":"/srv/app/.heapsleuth/jeprof"}
 *   {"type":"maps","id":0,"maps":[["7f01..","7f02..","1000","/usr/lib/x86_64-linux-gnu/libc.so.6"]]}
 *   {"type":"stack","id":0,"pcs":["7f0102..","55aa.."]}
 *   {"type":"dump","time":1764390000000,"maps":0,"final":false,"rows":[[0,1048576,2.5]]}
 *
 * `rows` are `[stackId, bytes, objects]`, unbiased estimates of live memory; hex strings
 * are without `0x`. Lines of unknown types are skipped by readers.
 */
export const NATIVE_FORMAT = 'heapsleuth-native';
export const NATIVE_VERSION = 1;

export interface NativeDumpRecord {
  time: number;
  final: boolean;
  maps: MappedRange[];
  rows: { pcs: bigint[]; bytes: number; objects: number }[];
}

export interface NativeLog {
  pid: number;
  samplePeriod: number;
  /** jemalloc's `prof_prefix` (absolute) the dumps came from, when the writer said: where a final dump written after the last pickup is. */
  prefix?: string;
  dumps: NativeDumpRecord[];
}

export function nativeLogName(pid: number): string {
  return `native-${pid}.jsonl`;
}

/** Writes native log lines; keeps the ids of maps and stacks already written. */
export class NativeLogEncoder {
  private readonly stackIds = new Map<string, number>();
  private mapsKey = '';
  private mapsId = -1;
  private started = false;

  constructor(
    private readonly pid: number,
    private readonly prefix?: string,
  ) {}

  encode(dump: HeapDump, time: number, final: boolean): string {
    let text = '';
    if (!this.started) {
      const header = { type: 'native-header', format: NATIVE_FORMAT, version: NATIVE_VERSION, pid: this.pid, samplePeriod: dump.samplePeriod, ...(this.prefix ? { prefix: this.prefix } : {}) };
      text += JSON.stringify(header) + '\n';
      this.started = true;
    }
    const maps = dump.maps.map((range) => [hex(range.start), hex(range.end), hex(range.offset), range.path]);
    const mapsKey = JSON.stringify(maps);
    if (mapsKey !== this.mapsKey) {
      this.mapsId += 1;
      this.mapsKey = mapsKey;
      text += JSON.stringify({ type: 'maps', id: this.mapsId, maps }) + '\n';
    }
    const rows: [number, number, number][] = [];
    for (const stack of dump.stacks) {
      const pcs = stack.pcs.map(hex);
      const key = pcs.join(' ');
      let id = this.stackIds.get(key);
      if (id === undefined) {
        id = this.stackIds.size;
        this.stackIds.set(key, id);
        text += JSON.stringify({ type: 'stack', id, pcs }) + '\n';
      }
      rows.push([id, Math.round(stack.bytes), Math.round(stack.objects * 1000) / 1000]);
    }
    text += JSON.stringify({ type: 'dump', time, maps: this.mapsId, final, rows }) + '\n';
    return text;
  }
}

/** Reads a native log; bad or torn lines are skipped (a dump refers only to what was defined before it). */
export function parseNativeLog(text: string): NativeLog | undefined {
  const maps = new Map<number, MappedRange[]>();
  const stacks = new Map<number, bigint[]>();
  let log: NativeLog | undefined;
  for (const raw of text.split('\n')) {
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    try {
      switch (value['type']) {
        case 'native-header':
          if (value['format'] !== NATIVE_FORMAT || value['version'] !== NATIVE_VERSION) return undefined;
          log = { pid: Number(value['pid']), samplePeriod: Number(value['samplePeriod']), dumps: [] };
          if (typeof value['prefix'] === 'string') log.prefix = value['prefix'];
          break;
        case 'maps':
          maps.set(
            value['id'] as number,
            (value['maps'] as string[][]).map(([start, end, offset, path]) => ({
              start: BigInt(`0x${start}`),
              end: BigInt(`0x${end}`),
              offset: BigInt(`0x${offset}`),
              path: String(path),
            })),
          );
          break;
        case 'stack':
          stacks.set(value['id'] as number, (value['pcs'] as string[]).map((pc) => BigInt(`0x${pc}`)));
          break;
        case 'dump': {
          const dumpMaps = maps.get(value['maps'] as number);
          if (!log || !dumpMaps || typeof value['time'] !== 'number') break;
          const rows = (value['rows'] as number[][])
            .filter(([id]) => stacks.has(id!))
            .map(([id, bytes, objects]) => ({ pcs: stacks.get(id!)!, bytes: Number(bytes), objects: Number(objects) }));
          log.dumps.push({ time: value['time'], final: value['final'] === true, maps: dumpMaps, rows });
          break;
        }
        default:
          break;
      }
    } catch {
      continue;
    }
  }
  return log;
}

function hex(value: bigint): string {
  return value.toString(16);
}
