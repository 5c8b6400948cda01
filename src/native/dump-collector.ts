import { appendFileSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseHeapDump } from './heap-dump.js';
import { NativeLogEncoder, nativeLogName } from './native-log.js';

/** `<prefix>.<pid>.<seq>.<kind><iseq>.heap`, as jemalloc names its dumps (i: interval, f: final, m: manual, u: high-water). */
export const DUMP_NAME = /^(.*)\.(\d+)\.(\d+)\.([a-z])(\d*)\.heap$/;

export interface CollectorOptions {
  /** jemalloc's `prof_prefix`: a path whose folder holds the dumps. */
  prefix: string;
  /** Where the native logs go (the recording folder). */
  outDir: string;
  /** Only this process's dumps (the agent); every process's when absent (`heapsleuth run`). */
  pid?: number;
}

/**
 * Picks up the allocator's dumps: at each call, the newest complete dump of each process
 * that came since the last call goes into that process's native log; older dumps are
 * deleted (the newest one stays, for jeprof). Cheap when nothing is new (one readdir).
 * Never throws: a problem is returned as a message, once per kind.
 */
export class DumpCollector {
  private readonly folder: string;
  private readonly base: string;
  private readonly encoders = new Map<number, NativeLogEncoder>();
  private readonly lastSeq = new Map<number, number>();
  private readonly reported = new Set<string>();
  /** Dumps picked up so far, per process. */
  readonly collected = new Map<number, number>();

  constructor(private readonly options: CollectorOptions) {
    this.folder = dirname(options.prefix);
    this.base = basename(options.prefix);
  }

  /** Collects new dumps; returns problems met for the first time (to log once). */
  collect(): string[] {
    const problems: string[] = [];
    const problem = (kind: string, message: string) => {
      if (this.reported.has(kind)) return;
      this.reported.add(kind);
      problems.push(message);
    };
    let names: string[];
    try {
      names = readdirSync(this.folder);
    } catch (error) {
      problem('readdir', `cannot read the allocator's dump folder ${this.folder}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      return problems;
    }
    const byPid = new Map<number, { name: string; seq: number; final: boolean }[]>();
    for (const name of names) {
      const match = DUMP_NAME.exec(name);
      if (!match || match[1] !== this.base) continue;
      const pid = Number(match[2]);
      if (this.options.pid !== undefined && pid !== this.options.pid) continue;
      byPid.set(pid, [...(byPid.get(pid) ?? []), { name, seq: Number(match[3]), final: match[4] === 'f' }]);
    }
    for (const [pid, dumps] of byPid) {
      dumps.sort((a, b) => b.seq - a.seq);
      const last = this.lastSeq.get(pid) ?? -1;
      for (const dump of dumps) {
        if (dump.seq <= last) break;
        try {
          const path = join(this.folder, dump.name);
          const text = readFileSync(path, 'utf8');
          if (!text.includes('\nMAPPED_LIBRARIES:') || !text.endsWith('\n')) continue; // still being written
          const parsed = parseHeapDump(text, path);
          let encoder = this.encoders.get(pid);
          if (!encoder) this.encoders.set(pid, (encoder = new NativeLogEncoder(pid, resolve(this.options.prefix))));
          appendFileSync(join(this.options.outDir, nativeLogName(pid)), encoder.encode(parsed, statSync(path).mtimeMs, dump.final));
          this.lastSeq.set(pid, dump.seq);
          this.collected.set(pid, (this.collected.get(pid) ?? 0) + 1);
          break;
        } catch (error) {
          problem('dump', `cannot read the allocator's dump ${dump.name}: ${(error as Error).message}`);
          this.lastSeq.set(pid, dump.seq);
          break;
        }
      }
      const keep = this.lastSeq.get(pid) ?? -1;
      for (const dump of dumps) {
        if (dump.seq >= keep) continue;
        try {
          unlinkSync(join(this.folder, dump.name));
        } catch {
          // another collector (or the user) removed it first
        }
      }
    }
    return problems;
  }
}
