import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Recording } from '../formats/recording.js';
import { DUMP_NAME } from './dump-collector.js';
import { parseHeapDump } from './heap-dump.js';
import { nativeLogName, parseNativeLog, type NativeDumpRecord, type NativeLog } from './native-log.js';

/** The native log beside each recording (`native-<pid>.jsonl` in its folder), for those that have one. */
export function readNativeLogs(recordings: readonly Recording[]): Map<Recording, NativeLog> {
  const logs = new Map<Recording, NativeLog>();
  for (const recording of recordings) {
    let text: string;
    try {
      text = readFileSync(join(dirname(recording.source), nativeLogName(recording.header.pid)), 'utf8');
    } catch {
      continue;
    }
    const log = parseNativeLog(text);
    if (!log || log.dumps.length === 0) continue;
    const final = finalDumpAfter(log);
    if (final) log.dumps.push(final);
    logs.set(recording, log);
  }
  return logs;
}

/**
 * jemalloc's final dump, when it was written after the last one in the log: an agent
 * (HEAPSLEUTH_NATIVE=on) picks dumps up at its ticks, and the final dump comes at exit,
 * after the last tick. It is still in the dump folder the log's header names.
 */
function finalDumpAfter(log: NativeLog): NativeDumpRecord | undefined {
  if (!log.prefix || log.dumps.at(-1)?.final) return undefined;
  try {
    const folder = dirname(log.prefix);
    const base = basename(log.prefix);
    const name = readdirSync(folder).find((candidate) => {
      const match = DUMP_NAME.exec(candidate);
      return match !== null && match[1] === base && Number(match[2]) === log.pid && match[4] === 'f';
    });
    if (!name) return undefined;
    const path = join(folder, name);
    const time = statSync(path).mtimeMs;
    if (time <= log.dumps.at(-1)!.time) return undefined;
    const text = readFileSync(path, 'utf8');
    if (!text.includes('\nMAPPED_LIBRARIES:')) return undefined;
    const dump = parseHeapDump(text, path);
    if (dump.samplePeriod !== log.samplePeriod) return undefined;
    return { time, final: true, maps: dump.maps, rows: dump.stacks.map((stack) => ({ pcs: stack.pcs, bytes: stack.bytes, objects: stack.objects })) };
  } catch {
    return undefined;
  }
}
