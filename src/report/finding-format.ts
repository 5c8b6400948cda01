import { formatSize } from '../model/size-format.js';
import { OPEN_FDS_TYPE } from '../model/process.js';
import type { Verdict } from '../analysis/verdict.js';

/** `+38.2 MiB/h`. */
export function formatRate(bytesPerHour: number): string {
  return `${formatSize(bytesPerHour, true)}/h`;
}

/**
 * `99.9%`: rounded down and capped below 100%, because a statistical test is never
 * certain and "100%" would claim it is.
 */
export function formatConfidence(confidence: number): string {
  const percent = Math.min(99.9, Math.floor(Math.max(0, confidence) * 1000) / 10);
  return `${percent.toFixed(1)}%`;
}

/** `42 s`, `3 min 5 s`, `2 h 3 min`, `4 d 2 h`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** `~25 min`, `~6.1 h`, `~3.5 d`: a projection, so one significant decimal at most. */
export function formatHours(hours: number): string {
  if (hours < 1) return `~${Math.max(1, Math.round(hours * 60))} min`;
  if (hours < 48) return `~${hours < 10 ? hours.toFixed(1) : Math.round(hours)} h`;
  const days = hours / 24;
  return `~${days < 10 ? days.toFixed(1) : Math.round(days)} d`;
}

/** `src/sessions.ts:42 remember()`. */
export function siteLabel(site: { file: string; line: number; function: string; keyType?: string; sites?: number; handleType?: string }): string {
  if (site.keyType === 'handle') return `${siteLocation(site)}${site.function ? ` ${site.function}()` : ''} (${site.handleType === OPEN_FDS_TYPE ? 'opens files' : `creates ${site.handleType ?? 'handles'}`})`;
  if (site.keyType === 'file') return `${site.file} (whole file, ${site.sites ?? 0} sites)`;
  if (site.keyType === 'package') return `${site.file}/ (whole package, ${site.sites ?? 0} sites)`;
  if (site.keyType === 'call') return `${siteLocation(site)}${site.function ? ` ${site.function}()` : ''} (call)`;
  const spread = site.sites === undefined ? '' : ` (${site.sites} sites)`;
  const where = siteLocation(site);
  return (site.function ? `${where} ${site.function}()` : where) + spread;
}

/** `src/sessions.ts:42`; a frame without a file is native code. */
export function siteLocation(site: { file: string; line: number }): string {
  return `${site.file || '(native)'}:${site.line}`;
}

/**
 * Hours until the process reaches its memory limit if it kept growing at
 * `bytesPerHour` from where it is now: the container limit is measured against RSS,
 * V8's heap limit against the used heap. Null when not growing or no limit is known.
 */
export function hoursToLimit(verdict: Verdict, bytesPerHour: number): number | null {
  const { limitBytes, limitKind } = verdict.projection;
  if (!(bytesPerHour > 0) || !(limitBytes > 0) || limitKind === 'none') return null;
  const now = limitKind === 'cgroup' ? verdict.process.rss.lastBytes : verdict.process.heapUsed.lastBytes;
  return Math.max(0, limitBytes - now) / bytesPerHour;
}

export function limitName(verdict: Verdict): string {
  const { limitBytes, limitKind } = verdict.projection;
  const what = limitKind === 'cgroup' ? 'container memory limit' : 'V8 heap limit';
  return `${what} ${formatSize(limitBytes)}`;
}
