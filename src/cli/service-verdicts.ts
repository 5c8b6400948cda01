import type { Recording } from '../formats/recording.js';
import { analyzeRecordings } from '../analysis/analyze.js';
import type { Verdict } from '../analysis/verdict.js';
import { withNativeFindings } from '../native/native-findings.js';
import { readNativeLogs } from '../native/read-native-logs.js';
import { appDependencies } from './app-dependencies.js';

export interface ServiceVerdict {
  verdict: Verdict;
  recordings: Recording[];
}

const IMPORTANCE: Record<Verdict['verdict'], number> = { leak: 0, inconclusive: 1, 'no-leak': 2 };

/**
 * One verdict per service (a `run` of a launcher such as `npm start` records the launcher
 * and the server apart), the most important first: a leak, then the most samples.
 */
export function serviceVerdicts(recordings: readonly Recording[]): ServiceVerdict[] {
  const groups = new Map<string, Recording[]>();
  for (const recording of recordings) {
    const key = `${recording.header.runtime}:${recording.header.service}`;
    groups.set(key, [...(groups.get(key) ?? []), recording]);
  }
  const nativeLogs = readNativeLogs(recordings);
  return [...groups.values()]
    .map((group) => {
      const directDependencies = appDependencies(group);
      return { verdict: withNativeFindings(analyzeRecordings(group, directDependencies ? { directDependencies } : {}), group, nativeLogs), recordings: group };
    })
    .sort((a, b) => IMPORTANCE[a.verdict.verdict] - IMPORTANCE[b.verdict.verdict] || b.verdict.window.samples - a.verdict.window.samples);
}
