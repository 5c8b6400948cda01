import { formatSize } from '../../model/size-format.js';
import { OPEN_FDS_TYPE } from '../../model/process.js';
import { formatConfidence, formatHours, formatRate, siteLocation } from '../finding-format.js';
import type { ReportData, ReportSuspect } from '../report-data-types.js';
import { lineChart } from './charts.js';
import { alpha, cssVar } from './css-color.js';
import { h, panel } from './dom.js';
import { sparkline } from './sparkline.js';
import { functionName } from './text-format.js';
import { retainerChain } from './retainer-chain.js';

/** The suspects table; a click (or Enter) on a row opens its traceback and growth chart below it. */
export function suspectsPanel(data: ReportData): HTMLElement {
  const v = data.verdict;
  if (data.suspects.length === 0) {
    const text = v.verdict === 'inconclusive' ? 'No suspects yet: ' + (v.reason || 'not enough data.') : 'No allocation site’s live memory grows.';
    return panel('suspects', 'Suspects', null, [h('p', { class: 'empty', text })]);
  }
  const leak = cssVar('--leak');
  const body = h('tbody');
  for (const suspect of data.suspects) {
    let detail: ReturnType<typeof suspectDetail> | null = null;
    const row = h('tr', { class: 'suspect', tabindex: 0, 'aria-expanded': 'false', 'data-rank': suspect.rank }, [
      h('td', { class: 'toggle' }),
      h('td', { class: 'num', text: suspect.rank }),
      h('td', { class: 'site' }, siteCell(suspect)),
      h('td', { class: 'num rate', text: suspect.keyType === 'handle' ? `+${Math.round(suspect.handleGrowthPerHour ?? 0)} ${suspect.handleType ?? ''}/h` : formatRate(suspect.growthBytesPerHour) }),
      h('td', { class: 'num', text: formatConfidence(suspect.confidence) }),
      h('td', { class: 'num', text: formatSize(suspect.liveBytes) }),
      h('td', { class: 'num', text: suspect.hoursToLimit === null ? '–' : formatHours(suspect.hoursToLimit) }),
      h('td', null, [sparkline(suspect.series.bytes.length ? suspect.series.bytes : [suspect.liveBytes], 120, 28, leak)]),
    ]);
    const toggle = () => {
      const open = row.getAttribute('aria-expanded') !== 'true';
      row.setAttribute('aria-expanded', open ? 'true' : 'false');
      if (!detail) {
        detail = suspectDetail(suspect, data.suspects);
        body.insertBefore(detail.row, row.nextSibling);
        detail.draw();
      }
      detail.row.hidden = !open;
    };
    row.addEventListener('click', toggle);
    row.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        toggle();
      }
    });
    body.appendChild(row);
  }
  const headings: Array<[string, string | null]> = [
    ['', null],
    ['#', 'num'],
    ['Allocation site', null],
    ['Growth', 'num'],
    ['Confidence', 'num'],
    ['Live now', 'num'],
    ['Time to limit', 'num'],
    ['Live bytes', null],
  ];
  const table = h('table', { id: 'suspects-table' }, [
    h('thead', null, [h('tr', null, headings.map(([text, className]) => (text ? h('th', { class: className, text }) : h('th'))))]),
    body,
  ]);
  return panel('suspects', 'Suspects', 'Allocation sites whose live memory grows, surest and biggest first. Click a row for its traceback and growth.', [table]);
}

/** The function and place; a leak spread over a whole file or package says so. */
function siteCell(suspect: ReportSuspect): HTMLElement[] {
  if (suspect.keyType === 'handle') {
    const what = suspect.handleType === OPEN_FDS_TYPE ? 'opens files that stay open' : `creates ${suspect.handleType ?? 'handles'} that stay open`;
    return [h('div', { class: 'fn', text: `${functionName(suspect.function)}() ${what}` }), h('div', { class: 'loc', text: siteLocation(suspect) })];
  }
  if (suspect.keyType === 'file' || suspect.keyType === 'package') {
    const what = suspect.keyType === 'file' ? 'whole file' : 'whole package';
    return [h('div', { class: 'fn', text: `${what}, ${suspect.sites ?? 0} sites` }), h('div', { class: 'loc', text: suspect.file })];
  }
  if (suspect.keyType === 'call') {
    return [h('div', { class: 'fn', text: `${functionName(suspect.function)}(), a call holding ${suspect.sites ?? 0} sites` }), h('div', { class: 'loc', text: siteLocation(suspect) }), h('div', { class: 'call-label', text: callLabel(suspect) })];
  }
  return [h('div', { class: 'fn', text: functionName(suspect.function) + '()' }), h('div', { class: 'loc', text: siteLocation(suspect) })];
}

/** `3 leaking sites reached through this call from app.mjs:20`: a call's sites and the user's line that makes it. */
function callLabel(suspect: ReportSuspect): string {
  const count = suspect.sites ?? 0;
  const from = suspect.calledFrom ? ` from ${siteLocation(suspect.calledFrom)}` : '';
  const shared = suspect.sharedFrame;
  const through = shared ? `; ${Math.round(shared.share * 100)}% of their growth passes through ${functionName(shared.function)}() here` : '';
  return `${count} leaking site${count === 1 ? '' : 's'} reached through this call${from}${through}`;
}

/** A call's sites, each a button that opens that site's own row. */
function callSiteList(suspect: ReportSuspect, suspects: readonly ReportSuspect[]): HTMLElement[] {
  const members = (suspect.callSites ?? []).map((rank) => suspects.find((other) => other.rank === rank)).filter((member) => member !== undefined);
  if (members.length === 0) return [];
  const items = members.map((member) => {
    const allocated = member.allocatedIn ? `, allocated in ${siteLocation(member.allocatedIn)}` : '';
    const button = h('button', { type: 'button', text: `#${member.rank} ${functionName(member.function)}() ${siteLocation(member)}${allocated}` });
    button.addEventListener('click', (event) => {
      event.stopPropagation();
      const row = document.querySelector<HTMLElement>(`tr.suspect[data-rank="${member.rank}"]`);
      if (row && row.getAttribute('aria-expanded') !== 'true') row.click();
      row?.scrollIntoView({ block: 'nearest' });
      row?.focus();
    });
    return h('li', null, [button, ' ', h('span', { class: 'num', text: `${formatRate(member.growthBytesPerHour)}, ${formatSize(member.liveBytes)} live` })]);
  });
  return [h('h3', { text: 'Sites reached through this call' }), h('ul', { class: 'call-sites' }, items)];
}

/**
 * The traceback, each frame marked by whose code it is (`app`, `package`, `runtime`), with
 * a boundary where a dependency was called from the user's own code.
 */
function tracebackItems(suspect: ReportSuspect): HTMLElement[] {
  const items: HTMLElement[] = [];
  let inPackage = false;
  let marked = false;
  let markedDependency = false;
  const allocatedIn = suspect.allocatedIn;
  for (const frame of suspect.traceback) {
    if (allocatedIn && !markedDependency && inPackage && frame.file === suspect.file && frame.line === suspect.line && frame.function === suspect.function) {
      items.push(h('li', { class: 'boundary dependency', text: `the package you use calls ${allocatedIn.package}, a dependency of its own, here` }));
      markedDependency = true;
    }
    if (frame.origin === 'package') inPackage = true;
    if (frame.origin === 'app' && inPackage && !marked) {
      items.push(h('li', { class: 'boundary', text: 'your code calls the package here' }));
      marked = true;
    }
    items.push(h('li', { class: `origin-${frame.origin ?? 'app'}` }, [h('span', { class: 'fn', text: functionName(frame.function) }), ' ', h('span', { class: 'loc', text: siteLocation(frame) })]));
  }
  return items;
}

/** Where else to look: the user's frame that called the package, a second location, embedded source lines. */
function siteNotes(suspect: ReportSuspect): HTMLElement[] {
  const notes: HTMLElement[] = [];
  if (suspect.allocatedIn) notes.push(h('p', { class: 'allocated-in', text: allocatedInText(suspect.allocatedIn) }));
  if (suspect.calledFrom) notes.push(h('p', { class: 'called-from', text: `Called from your code at ${functionName(suspect.calledFrom.function)} (${siteLocation(suspect.calledFrom)})` }));
  if (suspect.alsoAt) notes.push(h('p', { class: 'also-at', text: `Also at ${suspect.alsoAt}` }));
  if (suspect.snippet) notes.push(h('pre', { class: 'snippet', text: suspect.snippet }));
  return notes;
}

/** `Allocated in CacheableLookup() node_modules/cacheable-lookup/source/index.js:86 (cacheable-lookup, which your package.json does not list)`. */
function allocatedInText(allocatedIn: NonNullable<ReportSuspect['allocatedIn']>): string {
  const why = allocatedIn.basis === 'package.json' ? 'which your package.json does not list' : 'reached through the package your code called';
  return `Allocated in ${functionName(allocatedIn.function)}() ${siteLocation(allocatedIn)} (${allocatedIn.package}, ${why})`;
}

function suspectDetail(suspect: ReportSuspect, suspects: readonly ReportSuspect[]): { row: HTMLTableRowElement; draw: () => void } {
  const chartBox = h('div', { class: 'chart' });
  const frames = tracebackItems(suspect);
  const row = h('tr', { class: 'detail' }, [
    h('td', { colspan: 8 }, [
      h('div', { class: 'detail-grid' }, [
        h('div', { class: 'traceback-box' }, [
          ...siteNotes(suspect),
          ...callSiteList(suspect, suspects),
          h('h3', { text: 'Traceback, most recent call first' }),
          frames.length ? h('ol', { class: 'traceback' }, frames) : h('p', { class: 'empty', text: 'no frames recorded' }),
        ]),
        h('div', null, [h('h3', { text: suspect.keyType === 'call' ? 'Live bytes of the sites it holds, summed' : 'Live bytes at this site' }), chartBox]),
      ]),
      ...(suspect.retainers ?? []).map((retainer) => retainerChain(retainer, suspect.file)),
    ]),
  ]);
  return {
    row,
    draw: () => {
      if (suspect.series.t.length === 0) {
        chartBox.appendChild(h('p', { class: 'empty', text: 'no series recorded' }));
        return;
      }
      const color = cssVar('--leak');
      lineChart(chartBox, 200, [{ label: 'live bytes', color, fill: alpha(color, 0.12), width: 2 }], [suspect.series.t, suspect.series.bytes], 'size');
    },
  };
}
