import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Values at or above this mean "no limit" (cgroup v1 reports 2^63 rounded to a page). */
const UNLIMITED = 2 ** 60;

/**
 * The container's memory limit in bytes, from cgroup v2 (`memory.max`) or v1
 * (`memory.limit_in_bytes`), the smallest along the process's cgroup path; undefined
 * when there is none. Node 20's process.constrainedMemory() returns a huge sentinel
 * instead of 0 when unlimited, so the files are read directly.
 */
export function readCgroupMemoryLimit(root = '/sys/fs/cgroup', procSelfCgroup = '/proc/self/cgroup'): number | undefined {
  let membership = '';
  try {
    membership = readFileSync(procSelfCgroup, 'utf8');
  } catch {
    // not Linux, or no procfs: only the root files below can tell
  }
  const candidates: string[] = [];
  for (const line of membership.split('\n')) {
    const [, controllers, path] = line.split(':');
    if (path === undefined) continue;
    if (controllers === '') candidates.push(...ancestors(path).map((dir) => join(root, dir, 'memory.max')));
    else if (controllers?.split(',').includes('memory')) {
      candidates.push(...ancestors(path).map((dir) => join(root, 'memory', dir, 'memory.limit_in_bytes')));
    }
  }
  candidates.push(join(root, 'memory.max'), join(root, 'memory', 'memory.limit_in_bytes'));
  let limit: number | undefined;
  for (const file of candidates) {
    const value = readLimit(file);
    if (value !== undefined && (limit === undefined || value < limit)) limit = value;
  }
  return limit;
}

function ancestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('/'));
}

function readLimit(file: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
  if (text === 'max' || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value > 0 && value < UNLIMITED ? value : undefined;
}
