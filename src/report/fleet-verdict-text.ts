import { formatSize } from '../model/size-format.js';
import type { FleetSuspect, FleetVerdict } from '../fleet/fleet-verdict.js';
import { painter, type Paint, type Style } from './color.js';
import { formatConfidence, formatDuration, formatHours, formatRate, siteLabel } from './finding-format.js';
import { neutralise, truncate } from './terminal-text.js';

const LABEL_WIDTH = 10;
const MAX_SUSPECTS = 5;
const MAX_WIDTH = 110;
const MAX_WARNINGS = 3;

/**
 * The fleet verdict as a person reads it: one header line (instances, lifetimes,
 * versions), the leaking sites with the versions they leak in and when they first
 * appeared, process memory per instance against its limit, and what to do next.
 */
export function renderFleetVerdict(verdict: FleetVerdict, options: { color: boolean; jsonPath?: string }): string {
  const paint = painter(options.color);
  const lines: [label: string, text: string, style: Style[]][] = [];
  const add = (label: string, text: string, ...style: Style[]) => lines.push([label, text, style]);

  if (verdict.verdict === 'inconclusive') add('WHY', safe(verdict.reason ?? 'not enough data to tell'), 'yellow', 'bold');
  if (verdict.verdict === 'no-leak') add('OK', 'no allocation site, process memory series or handle type grows across the fleet', 'green', 'bold');
  for (const suspect of verdict.suspects.slice(0, MAX_SUSPECTS)) {
    add('LEAK', suspectLine(suspect, verdict, paint), 'red', 'bold');
    if (suspect.firstSeen) add('', `first seen: ${when(suspect.firstSeen.time)} (processes of ${safe(suspect.firstSeen.version)})`);
  }
  const { nativeGap, external, heapUsed } = verdict.process;
  if (nativeGap.leak) add('NATIVE', `${formatRate(nativeGap.growthBytesPerHour)} per instance of RSS not explained by JS allocations (${formatConfidence(nativeGap.confidence)})`, 'magenta', 'bold');
  if (external.leak) add('EXTERNAL', `${formatRate(external.growthBytesPerHour)} per instance of external memory (${formatConfidence(external.confidence)})`, 'magenta', 'bold');
  if (heapUsed.leak && verdict.suspects.length === 0) add('HEAP', `${formatRate(heapUsed.growthBytesPerHour)} per instance of JS heap, no single site explains it`, 'red', 'bold');
  for (const handle of verdict.handles.filter((finding) => finding.leak)) {
    add('HANDLES', `${safe(handle.type)}: +${Math.round(handle.growthPerHour)}/h per instance (${formatConfidence(handle.confidence)})`, 'yellow', 'bold');
  }
  const projection = projectionLine(verdict);
  if (projection) add(verdict.fleet.projection.series === 'rss' ? 'RSS' : 'HEAP', projection, 'yellow', 'bold');
  const warnings = verdict.warnings;
  for (const warning of warnings.slice(0, MAX_WARNINGS)) add('WARN', truncate(safe(warning), MAX_WIDTH), 'yellow');
  if (warnings.length > MAX_WARNINGS) add('', `… and ${warnings.length - MAX_WARNINGS} more warnings in the JSON verdict`);
  add('NEXT', nextStep(verdict, options.jsonPath), 'cyan', 'bold');

  const out = [headerLine(verdict, paint), ''];
  for (const [label, text, style] of lines) out.push(`  ${label ? paint(label.padEnd(LABEL_WIDTH), ...style) : ' '.repeat(LABEL_WIDTH)}${text}`);
  return out.join('\n') + '\n';
}

function headerLine(verdict: FleetVerdict, paint: Paint): string {
  const badge =
    verdict.verdict === 'leak' ? paint('LEAK', 'red', 'bold') : verdict.verdict === 'no-leak' ? paint('no leak', 'green', 'bold') : paint('inconclusive', 'yellow', 'bold');
  const { instances, lifetimes, versions } = verdict.fleet;
  const facts = [
    truncate(safe(verdict.service), 60),
    `${instances} instance${instances === 1 ? '' : 's'}, ${lifetimes} process lifetime${lifetimes === 1 ? '' : 's'}, ${formatDuration(verdict.window.durationSeconds * 1000)}`,
  ];
  if (versions.length > 0) {
    const names = versions.map((version) => safe(version.name));
    facts.push(names.length === 1 ? `${verdict.fleet.by} ${names[0]}` : `${verdict.fleet.by}s ${names[0]} .. ${names.at(-1)}`);
  }
  return `${paint('heapsleuth', 'bold')} ${badge}${paint(' · ', 'dim')}${facts.join(paint(' · ', 'dim'))}`;
}

function suspectLine(suspect: FleetSuspect, verdict: FleetVerdict, paint: Paint): string {
  let line = `${truncate(safe(siteLabel(suspect)), 60)}  ${paint(formatRate(suspect.growthBytesPerHour), 'red', 'bold')} per instance (${formatConfidence(suspect.confidence)})`;
  if (verdict.fleet.versions.length > 1 && suspect.versions.length > 0) {
    line += `, in ${listOf(suspect.versions.map(safe))}`;
    if (suspect.notIn.length > 0) line += `, not in ${listOf(suspect.notIn.map(safe))}`;
  }
  return line;
}

function projectionLine(verdict: FleetVerdict): string | undefined {
  const { series, limitBytes, hoursFromStartToLimit, typicalLifetimeHours, hiddenByRestarts } = verdict.fleet.projection;
  if (series === 'none' || hoursFromStartToLimit === null) return undefined;
  const what = series === 'rss' ? `its ${formatSize(limitBytes)} container limit` : `its ${formatSize(limitBytes)} V8 heap limit`;
  const restarts = hiddenByRestarts
    ? `; processes live ${formatHours(typicalLifetimeHours).slice(1)}, so restarts now hide it`
    : `; processes live ${formatHours(typicalLifetimeHours).slice(1)}: expect out-of-memory kills`;
  return `every instance reaches ${what} ${formatHours(hoursFromStartToLimit)} after it starts, at this rate${restarts}`;
}

function nextStep(verdict: FleetVerdict, jsonPath: string | undefined): string {
  const top = verdict.suspects[0];
  const parts: string[] = [];
  if (verdict.verdict === 'leak' && top) {
    const version = top.firstSeen ? `; compare ${safe(top.firstSeen.version)} with the version before it` : '';
    parts.push(`open ${truncate(safe(`${top.file || '(native)'}:${top.line}`), 60)}${version}`);
  } else if (verdict.verdict === 'inconclusive') {
    parts.push('widen --since, or check that the agent exports site metrics (docs/metrics.md)');
  }
  if (jsonPath) parts.push(`verdict as JSON: ${safe(jsonPath)}`);
  return parts.join('; ') || 'nothing to do';
}

function listOf(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

function when(iso: string): string {
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}

function safe(text: string): string {
  return neutralise(text);
}
