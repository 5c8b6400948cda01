import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Recording } from '../formats/recording.js';
import { nativeLogName, parseNativeLog, type NativeLog } from './native-log.js';

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
    if (log && log.dumps.length > 0) logs.set(recording, log);
  }
  return logs;
}
