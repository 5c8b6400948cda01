import type { SeriesFinding, VerdictKind } from '../../analysis/verdict.js';
import { formatSize } from '../../model/size-format.js';
import { formatConfidence, formatDuration, formatHours, formatRate, siteLocation } from '../finding-format.js';
import type { ReportData } from '../report-data-types.js';
import { h } from './dom.js';
import { formatClock, functionName, plural } from './text-format.js';

export const VERDICT_LABELS: Record<VerdictKind, string> = { leak: 'leak', 'no-leak': 'no leak', inconclusive: 'inconclusive' };

function summarySentence(data: ReportData): string {
  const v = data.verdict;
  const top = data.suspects[0];
  if (v.verdict === 'inconclusive') return v.reason || 'Not enough data to tell.';
  // The reason of a no-leak verdict says the same thing: one sentence, not two.
  if (v.verdict === 'no-leak') return 'No allocation site, process memory series or handle type grows beyond its noise.';
  if (top) {
    return (
      plural(data.suspects.length, 'allocation site') +
      (data.suspects.length === 1 ? ' grows' : ' grow') +
      `. The fastest is ${functionName(top.function)}() in ${siteLocation(top)} at ${formatRate(top.growthBytesPerHour)}.`
    );
  }
  if (v.process.nativeGap.leak) return 'Resident memory grows without the JS heap or external memory explaining it: native memory.';
  return v.reason || 'Memory grows.';
}

function card(label: string, finding: SeriesFinding): HTMLElement;
function card(label: string, finding: null, extra: { value: string; detail: string }): HTMLElement;
function card(label: string, finding: SeriesFinding | null, extra?: { value: string; detail: string }): HTMLElement {
  return h('div', { class: 'card' + (finding && finding.leak ? ' bad' : '') }, [
    h('div', { class: 'k', text: label }),
    h('div', { class: 'v', text: finding ? formatSize(finding.lastBytes) : extra?.value }),
    h('div', { class: 'd', title: finding && finding.leak ? 'growing: a leak' : null, text: finding ? formatRate(finding.growthBytesPerHour) : extra?.detail }),
  ]);
}

/** The verdict, the process-wide numbers as cards, and every finding in a sentence. */
export function verdictPanel(data: ReportData): HTMLElement {
  const v = data.verdict;
  const p = v.process;
  const limit = v.projection;
  const cards = [
    card('Window', null, { value: formatDuration(v.window.durationSeconds * 1000), detail: plural(v.window.samples, 'sample') }),
    card('RSS', p.rss),
    card('Heap used', p.heapUsed),
    card('External', p.external),
    card('Native gap', p.nativeGap),
  ];
  if (limit.limitKind !== 'none' && limit.limitBytes > 0) {
    cards.push(
      h('div', { class: 'card' + (limit.hoursToLimit !== null && v.verdict === 'leak' ? ' bad' : '') }, [
        h('div', { class: 'k', text: limit.limitKind === 'cgroup' ? 'Container limit' : 'V8 heap limit' }),
        h('div', { class: 'v', text: formatSize(limit.limitBytes) }),
        h('div', { class: 'd', text: limit.hoursToLimit !== null ? 'reached in ' + formatHours(limit.hoursToLimit) : 'not approaching' }),
      ]),
    );
  }
  const findings: Array<['leak' | 'warn', string]> = [];
  if (p.nativeGap.leak) {
    findings.push(['leak', `Native growth: RSS grows ${formatRate(p.nativeGap.growthBytesPerHour)} more than the JS heap and external memory explain (confidence ${formatConfidence(p.nativeGap.confidence)}). Look at native addons and Buffers kept by C++ code.`]);
  }
  if (p.external.leak) findings.push(['leak', `External memory (Buffers, typed arrays) grows ${formatRate(p.external.growthBytesPerHour)} (confidence ${formatConfidence(p.external.confidence)}).`]);
  else if (p.arrayBuffers.leak) findings.push(['leak', `ArrayBuffers grow ${formatRate(p.arrayBuffers.growthBytesPerHour)} (confidence ${formatConfidence(p.arrayBuffers.confidence)}).`]);
  if (p.heapUsed.leak && data.suspects.length === 0) findings.push(['leak', `The JS heap grows ${formatRate(p.heapUsed.growthBytesPerHour)} but no single allocation site explains it.`]);
  for (const one of v.handles.filter((handle) => handle.leak)) {
    findings.push(['leak', `Handle leak: ${one.type}, ${one.count} open, ${one.growthPerHour >= 0 ? '+' : ''}${Math.round(one.growthPerHour)}/h (confidence ${formatConfidence(one.confidence)}).`]);
  }
  for (const restart of v.restarts) {
    findings.push(['warn', `Restart at ${formatClock(new Date(restart.time).toISOString())}: pid ${restart.previousPid} → ${restart.pid} after RSS peaked at ${formatSize(restart.previousPeakRssBytes)}.`]);
  }
  for (const warning of v.warnings) findings.push(['warn', warning]);
  const meta = `${v.service} (${v.runtime}) · ${plural(v.window.samples, 'sample')} over ${formatDuration(v.window.durationSeconds * 1000)} · ${formatClock(v.window.start)} → ${formatClock(v.window.end)}`;
  return h('section', { class: 'panel', id: 'verdict' }, [
    h('div', { class: 'verdict-head' }, [
      h('span', { class: 'badge ' + v.verdict, id: 'verdict-badge', text: VERDICT_LABELS[v.verdict] || v.verdict }),
      h('span', { class: 'verdict-title', text: v.service }),
      h('span', { class: 'verdict-meta', text: meta }),
    ]),
    h('p', { class: 'verdict-summary', text: summarySentence(data) }),
    h('div', { class: 'cards' }, cards),
    findings.length ? h('ul', { class: 'findings' }, findings.map(([kind, text]) => h('li', { class: kind, text }))) : null,
  ]);
}
