import type { RetainerGroup } from '../snapshots/retainer-groups.js';
import type { RetainerReport } from '../snapshots/find-retainers.js';
import { formatLocation, formatRetainerPath } from '../snapshots/path-text.js';
import { formatSize } from '../model/size-format.js';
import { neutralise } from './terminal-text.js';

/** The lines of one retainer group, indented under a heading; names neutralised for the terminal. */
export function retainerGroupLines(group: RetainerGroup, total: { objects: number; bytes: number }, indent = '   '): string[] {
  const share = (part: number, whole: number) => (whole > 0 ? ` (${Math.round((100 * part) / whole)}%)` : '');
  const retained = group.retainedBytes !== undefined ? `, ${formatSize(group.retainedBytes)} retained` : '';
  const made = group.constructors.map((c) => `${c.name} ${formatSize(c.bytes)}`).join(', ');
  const lines = [
    `${indent}kept alive by: ${formatRetainerPath(group.path)}`,
    `${indent}${group.heads} at the path's end, ${group.objects} objects${share(group.objects, total.objects)}, ${formatSize(group.selfBytes)}${share(group.selfBytes, total.bytes)}${retained}`,
  ];
  if (made) lines.push(`${indent}made of: ${made}`);
  if (group.locations.length > 0) lines.push(`${indent}code: ${group.locations.slice(0, 4).map(formatLocation).join(', ')}`);
  return lines.map(neutralise);
}

/** The terminal text of `heapsleuth retainers`. */
export function formatRetainerReport(report: RetainerReport): string {
  const lines: string[] = [];
  const total = { objects: report.objects, bytes: report.bytes };
  if (report.mode === 'new-survivors') {
    lines.push(
      neutralise(`New objects in ${report.snapshot.file} since ${report.baseline!.file}: ${report.objects} objects, ${formatSize(report.bytes)}, ${report.groups.length + report.moreGroups} groups`),
    );
  } else {
    lines.push(neutralise(`Largest retained groups of ${report.snapshot.file} (${report.snapshot.nodes} nodes): repeated paths, ranked by retained size`));
  }
  if (report.groups.length === 0) lines.push(report.mode === 'new-survivors' ? 'No new objects survived.' : 'No repeated paths.');
  report.groups.forEach((group, i) => {
    const size = group.retainedBytes !== undefined && report.mode === 'largest-retained' ? `${formatSize(group.retainedBytes)} retained` : `${formatSize(group.selfBytes)}`;
    lines.push(`#${i + 1} ${size}`);
    lines.push(...retainerGroupLines(group, total));
  });
  if (report.moreGroups > 0) lines.push(`${report.moreGroups} smaller groups not shown (--limit)`);
  return lines.join('\n');
}
