import { formatSize } from '../model/size-format.js';
import { OPEN_FDS_TYPE } from '../model/process.js';
import type { HandleCreation, HandleFinding, RetainerFinding, Restart, SeriesFinding, Suspect, Teardown, TracebackEntry, Verdict } from '../analysis/verdict.js';
import { painter, type Paint, type Style } from './color.js';
import { formatConfidence, formatDuration, formatHours, formatRate, hoursToLimit, limitName, siteLabel } from './finding-format.js';
import { neutralise, truncate } from './terminal-text.js';
import { callMembers } from './call-members.js';

export interface VerdictRenderOptions {
  color: boolean;
  /** The recordings analysed, for the commands suggested under NEXT. */
  recordings?: string[];
  /** Where the HTML report was written, if it was. */
  htmlPath?: string;
  /** Where the JSON verdict was written, if it was. */
  jsonPath?: string;
}

const LABEL_WIDTH = 10;
const MAX_SUSPECTS = 5;
const MAX_SITE_WIDTH = 60;
const MAX_TRACEBACK_WIDTH = 110;
const MAX_WARNINGS = 3;

/** One finding: a colored label and its lines of text. */
interface Block {
  label: string;
  style: Style[];
  lines: string[];
}

/**
 * The verdict as a person reads it at the end of a run: one header line, then one
 * labelled block per finding (suspects, native or external growth, handles, restarts),
 * and what to do next. Names from profiles are neutralised: they cannot move the
 * cursor, color the terminal or reverse text.
 */
export function renderVerdict(verdict: Verdict, options: VerdictRenderOptions): string {
  const paint = painter(options.color);
  const blocks: Block[] = [];
  if (verdict.verdict === 'inconclusive') {
    blocks.push({ label: 'WHY', style: ['yellow', 'bold'], lines: [safe(verdict.reason ?? 'not enough data to tell')] });
  } else if (verdict.verdict === 'no-leak') {
    const held = settledLine(verdict);
    blocks.push({ label: 'OK', style: ['green', 'bold'], lines: ['no allocation site, process memory series or handle type grows', processSummary(verdict), ...(held ? [held] : [])] });
  }
  blocks.push(...suspectBlocks(verdict, paint));
  blocks.push(...processBlocks(verdict, paint));
  blocks.push(...nativeBlocks(verdict, paint));
  blocks.push(...verdict.handles.filter((handle) => handle.leak).map((handle) => handleBlock(handle, paint)));
  blocks.push(...verdict.restarts.map(restartBlock));
  if (verdict.teardown && verdict.teardown.releasedBytes > 0) blocks.push(teardownBlock(verdict.teardown));
  if (verdict.warnings.length > 0) blocks.push(warningBlock(verdict.warnings));
  blocks.push({ label: 'NEXT', style: ['cyan', 'bold'], lines: nextSteps(verdict, options) });

  const out = [headerLine(verdict, paint), ''];
  for (const block of blocks) {
    block.lines.forEach((line, i) => {
      const label = i === 0 ? paint(block.label.padEnd(LABEL_WIDTH), ...block.style) : ' '.repeat(LABEL_WIDTH);
      out.push(`  ${label}${line}`);
    });
  }
  return out.join('\n') + '\n';
}

function headerLine(verdict: Verdict, paint: Paint): string {
  const badge =
    verdict.verdict === 'leak'
      ? paint('LEAK', 'red', 'bold')
      : verdict.verdict === 'no-leak'
        ? paint('no leak', 'green', 'bold')
        : paint('inconclusive', 'yellow', 'bold');
  const { samples, durationSeconds } = verdict.window;
  const facts = [
    `${truncate(safe(verdict.service), MAX_SITE_WIDTH)} (${verdict.runtime})`,
    `${samples} sample${samples === 1 ? '' : 's'} over ${formatDuration(durationSeconds * 1000)}`,
  ];
  if (verdict.verdict === 'leak' && verdict.suspects.length > 0) {
    facts.push(`${verdict.suspects.length} suspect${verdict.suspects.length === 1 ? '' : 's'}`);
  }
  return `${paint('heapsleuth', 'bold')} ${badge}${paint(' · ', 'dim')}${facts.join(paint(' · ', 'dim'))}`;
}

function suspectBlocks(verdict: Verdict, paint: Paint): Block[] {
  const shown = verdict.suspects.slice(0, MAX_SUSPECTS);
  const sites = shown.map((suspect) => truncate(safe(siteLabel(suspect)), MAX_SITE_WIDTH));
  const rates = shown.map((suspect) =>
    suspect.keyType === 'handle' ? `${Math.round(suspect.handleGrowthPerHour ?? 0) >= 0 ? '+' : ''}${Math.round(suspect.handleGrowthPerHour ?? 0)}/h` : formatRate(suspect.growthBytesPerHour),
  );
  const siteWidth = Math.max(0, ...sites.map((site) => [...site].length));
  const rateWidth = Math.max(0, ...rates.map((rate) => rate.length));
  const blocks = shown.map((suspect, i): Block => {
    const lines = [
      `${sites[i]!.padEnd(siteWidth)}  ${paint(rates[i]!.padStart(rateWidth), 'red', 'bold')}  ` +
        paint(
          suspect.keyType === 'handle'
            ? `(confidence ${formatConfidence(suspect.confidence)}, ${suspect.handleType === OPEN_FDS_TYPE ? 'files it opened stay open' : `${safe(suspect.handleType ?? '')} handles it created stay open`})`
            : `(confidence ${formatConfidence(suspect.confidence)}, ${formatSize(suspect.liveBytes)} live)`,
          'dim',
        ),
    ];
    if (suspect.alsoAt) lines.push(paint(`also at ${truncate(safe(suspect.alsoAt), MAX_SITE_WIDTH)}${suspect.snippet ? ' (the original is not on disk; its text came from the source map)' : ' (the source map names this original, which is not on disk)'}`, 'dim'));
    if (suspect.snippet) lines.push(...snippetLines(suspect.snippet, suspect.line).map((line) => paint(line, 'dim')));
    if (suspect.allocatedIn) lines.push(allocatedInLine(suspect.allocatedIn, suspect.keyType === 'handle' ? 'created' : 'allocated'));
    if (suspect.keyType === 'call') lines.push(...callLines(suspect, verdict.suspects, paint));
    else if (suspect.calledFrom) lines.push(`called from your code at ${truncate(safe(`${suspect.calledFrom.function || '(anonymous)'} (${suspect.calledFrom.file}:${suspect.calledFrom.line})`), MAX_TRACEBACK_WIDTH)}`);
    if (suspect.traceback.length > 0) lines.push(paint(tracebackLine(suspect.traceback), 'dim'));
    for (const retainer of suspect.retainers ?? []) lines.push(...retainerLines(retainer, suspect, paint));
    const hours = hoursToLimit(verdict, suspect.growthBytesPerHour);
    if (hours !== null) lines.push(`${limitName(verdict)} reached in ${paint(formatHours(hours), 'yellow')} at this rate`);
    return { label: 'LEAK', style: ['red', 'bold'], lines };
  });
  const hidden = verdict.suspects.length - shown.length;
  if (hidden > 0) blocks.push({ label: '', style: [], lines: [paint(`… and ${hidden} more suspect${hidden === 1 ? '' : 's'} in the report`, 'dim')] });
  return blocks;
}

/** Where a site blamed on the package the app uses was allocated: in a dependency of that package. */
function allocatedInLine(allocatedIn: NonNullable<Suspect['allocatedIn']>, verb: 'allocated' | 'created' | 'opened' = 'allocated'): string {
  const why = allocatedIn.basis === 'package.json' ? 'not in your package.json' : 'reached through the package your code called';
  const where = `${allocatedIn.function || '(anonymous)'} (${allocatedIn.file}:${allocatedIn.line})`;
  return truncate(safe(`${verb} in ${where}: ${allocatedIn.package}, ${why}`), MAX_TRACEBACK_WIDTH);
}

const MAX_CALL_SITES = 4;

/** A call into a dependency: the app's line that makes it, then the leaking sites reached through it. */
function callLines(call: Suspect, suspects: readonly Suspect[], paint: Paint): string[] {
  const count = call.sites ?? 0;
  const from = call.calledFrom ? ` from your code at ${call.calledFrom.function || '(anonymous)'} (${call.calledFrom.file}:${call.calledFrom.line})` : '';
  const lines = [truncate(safe(`${count} leaking site${count === 1 ? '' : 's'} reached through this call${from}:`), MAX_TRACEBACK_WIDTH)];
  const shared = call.sharedFrame;
  const entry = call.traceback[0];
  if (shared && entry) {
    const through = `${shared.sites} of them (${Math.round(shared.share * 100)}% of their growth) pass through ${shared.function || '(anonymous)'} (${shared.file}:${shared.line})`;
    lines.push(truncate(safe(`${through}, inside the call to ${entry.function || '(anonymous)'} (${entry.file}:${entry.line})`), MAX_TRACEBACK_WIDTH));
  }
  const members = callMembers(call, suspects);
  for (const member of members.slice(0, MAX_CALL_SITES)) {
    // sites blamed on the called package but allocated in a dependency of it differ only there
    const label = member.allocatedIn ? `${siteLabel(member)}, allocated in ${member.allocatedIn.file}:${member.allocatedIn.line}` : siteLabel(member);
    lines.push(`  ${paint(`#${member.rank}`, 'dim')} ${truncate(safe(label), MAX_TRACEBACK_WIDTH)}  ${paint(`${formatRate(member.growthBytesPerHour)}, ${formatSize(member.liveBytes)} live`, 'dim')}`);
  }
  if (members.length > MAX_CALL_SITES) lines.push(paint(`  … and ${members.length - MAX_CALL_SITES} more`, 'dim'));
  return lines;
}

/** `  12 | const memo = new Map();`: original lines a source map embeds, numbered. */
function snippetLines(snippet: string, firstLine: number): string[] {
  const width = String(firstLine + 2).length;
  return snippet.split('\n').map((text, i) => `${String(firstLine + i).padStart(width)} | ${truncate(safe(text), MAX_TRACEBACK_WIDTH)}`);
}

/** What was freed on the way out is a fact about the teardown, judged apart from the run. */
function teardownBlock(teardown: Teardown): Block {
  const when = /^SIG/.test(teardown.reason) ? `on ${teardown.reason}` : teardown.reason === 'stop' ? 'when the tracer stopped' : 'at exit';
  return {
    label: 'EXIT',
    style: ['dim'],
    lines: [`released ${formatSize(teardown.releasedBytes)} ${safe(when)}; trends are judged on the running phase before it`],
  };
}

/** Who keeps the suspect's objects alive (heap snapshots), as in the issue's example: the path, then its share. */
function retainerLines(retainer: RetainerFinding, suspect: Suspect, paint: Paint): string[] {
  const share = `${Math.round(retainer.objectShare * 100)}% of the new objects, ${formatSize(retainer.selfBytes)}`;
  const retained = retainer.retainedBytes !== undefined ? ` (${formatSize(retainer.retainedBytes)} retained)` : '';
  const lines = [`kept alive by: ${safe(retainer.path)}`, paint(`${share}${retained}`, 'dim')];
  // Allocated in one file, held by code in another: the holder is likely the code to change.
  const keeper = retainer.keptBy;
  if (keeper && keeper.file !== suspect.file) {
    lines.push(`held by ${safe(keeper.what)} ${keeper.line === undefined ? 'in' : 'at'} ${safe(keeper.line === undefined ? keeper.file : `${keeper.file}:${keeper.line}`)}, not by the code that allocated them`);
  }
  return lines;
}

function tracebackLine(traceback: TracebackEntry[]): string {
  let line = 'at';
  for (const [i, entry] of traceback.entries()) {
    const frame = `${safe(entry.function || '(anonymous)')} (${safe(entry.file || '(native)')}:${entry.line})`;
    const next = i === 0 ? `${line} ${frame}` : `${line} <- ${frame}`;
    if ([...next].length > MAX_TRACEBACK_WIDTH && i > 0) {
      line += ' <- ...';
      break;
    }
    line = next;
  }
  return truncate(line, MAX_TRACEBACK_WIDTH); // the first frame alone can be longer
}

function processBlocks(verdict: Verdict, paint: Paint): Block[] {
  const { rss, heapUsed, external, arrayBuffers, nativeGap } = verdict.process;
  const blocks: Block[] = [];
  const growth = (finding: SeriesFinding) => paint(formatRate(finding.growthBytesPerHour), 'red', 'bold');
  const sure = (finding: SeriesFinding) => paint(`(confidence ${formatConfidence(finding.confidence)}, ${formatSize(finding.lastBytes)} now)`, 'dim');
  if (nativeGap.leak) {
    blocks.push({
      label: 'NATIVE',
      style: ['magenta', 'bold'],
      lines: [
        `${growth(nativeGap)} of RSS growth not explained by JS allocations ${sure(nativeGap)}`,
        'native memory: addons, Buffers kept by C++ code, or the allocator; heap profiles cannot see it',
      ],
    });
  }
  if (external.leak || arrayBuffers.leak) {
    const finding = external.leak ? external : arrayBuffers;
    blocks.push({
      label: 'EXTERNAL',
      style: ['magenta', 'bold'],
      lines: [`${growth(finding)} of ${external.leak ? 'external memory' : 'ArrayBuffers'} (Buffers, typed arrays) ${sure(finding)}`],
    });
  }
  if (heapUsed.leak && verdict.suspects.length === 0) {
    blocks.push({ label: 'HEAP', style: ['red', 'bold'], lines: [`${growth(heapUsed)} of JS heap, no single allocation site explains it ${sure(heapUsed)}`] });
  }
  if (rss.leak && !nativeGap.leak && !heapUsed.leak && !external.leak && verdict.suspects.length === 0) {
    blocks.push({ label: 'RSS', style: ['red', 'bold'], lines: [`${growth(rss)} of resident memory ${sure(rss)}`] });
  }
  const hours = verdict.suspects.length === 0 ? verdict.projection.hoursToLimit : null;
  if (hours !== null && verdict.verdict === 'leak') {
    blocks.push({ label: 'LIMIT', style: ['yellow', 'bold'], lines: [`${limitName(verdict)} reached in ${paint(formatHours(hours), 'yellow')} at this rate`] });
  }
  return blocks;
}

/** Native suspects (library and function) and fragmentation, from allocator dumps (`run --native`). */
function nativeBlocks(verdict: Verdict, paint: Paint): Block[] {
  const blocks: Block[] = [];
  const native = verdict.native;
  if (native?.fragmentation) {
    blocks.push({
      label: 'FRAGMENT',
      style: ['yellow', 'bold'],
      lines: [
        `RSS grows ${formatRate(verdict.process.rss.growthBytesPerHour)} while live native allocations do not (${formatSize(native.liveBytes.lastBytes)} now): fragmentation, not a leak`,
        paint(`what helps: ${native.advice ?? ''}`, 'dim'),
      ],
    });
  }
  for (const suspect of (verdict.nativeSuspects ?? []).slice(0, MAX_SUSPECTS)) {
    const library = suspect.library.slice(suspect.library.lastIndexOf('/') + 1);
    const lines = [
      `${truncate(safe(suspect.function), MAX_SITE_WIDTH)} in ${safe(library)}  ${paint(formatRate(suspect.growthBytesPerHour), 'red', 'bold')}  ` +
        paint(`(confidence ${formatConfidence(suspect.confidence)}, ${formatSize(suspect.liveBytes)} live)`, 'dim'),
    ];
    const short = (frame: { library: string; function: string }) => `${frame.function} (${frame.library.slice(frame.library.lastIndexOf('/') + 1)})`;
    // The runtime function the addon called first (napi_create_reference), then what it called:
    // when the line is cut, what goes is the runtime's own depths.
    if (suspect.via?.length) lines.push(paint(truncate(safe(`allocates through ${[...suspect.via].reverse().map(short).join(' -> ')}`), MAX_TRACEBACK_WIDTH), 'dim'));
    if (suspect.stripped) lines.push(paint(`${safe(library)} is stripped: only offsets, no function names; the library is what to look at`, 'dim'));
    const callers = suspect.stack.slice(1).filter((frame) => frame.library !== '<jit>').map(short);
    if (callers.length > 0) lines.push(paint(truncate(safe(`called from ${callers.join(' <- ')}`), MAX_TRACEBACK_WIDTH), 'dim'));
    if (suspect.calledFromJavaScript) {
      lines.push(paint('the native stack ends where JavaScript called in (unwinding stops at JIT code)', 'dim'));
      const ties = (suspect.javascript ?? []).map((tie) => `${tie.file.slice(tie.file.lastIndexOf('/') + 1)}:${tie.line} ${tie.function || '(anonymous)'}() r=${tie.correlation.toFixed(2)}`);
      lines.push(ties.length > 0 ? truncate(safe(`JavaScript side, growing in step: ${ties.join(', ')}`), MAX_TRACEBACK_WIDTH) : paint('no JS suspect grows in step with it', 'dim'));
    }
    blocks.push({ label: 'NATIVE', style: ['magenta', 'bold'], lines });
  }
  return blocks;
}

function handleBlock(handle: HandleFinding, paint: Paint): Block {
  const rate = `${handle.growthPerHour >= 0 ? '+' : ''}${Math.round(handle.growthPerHour)}/h`;
  return {
    label: 'HANDLES',
    style: ['yellow', 'bold'],
    lines: [
      `${safe(handle.type)}: ${handle.count} open, ${paint(rate, 'red', 'bold')} ${paint(`(confidence ${formatConfidence(handle.confidence)})`, 'dim')}`,
      ...(handle.createdAt ? creationLines(handle.createdAt, handle.type === OPEN_FDS_TYPE ? 'opened' : 'created', paint) : []),
    ],
  };
}

function creationLines(created: HandleCreation, verb: 'opened' | 'created', paint: Paint): string[] {
  const lines = [`${verb} at ${truncate(safe(siteLabel(created)), MAX_SITE_WIDTH)} ${paint(`(${created.liveSampled} sampled still open)`, 'dim')}`];
  if (created.createdIn) lines.push(allocatedInLine(created.createdIn, verb));
  if (created.calledFrom) lines.push(`called from your code at ${truncate(safe(`${created.calledFrom.function || '(anonymous)'} (${created.calledFrom.file}:${created.calledFrom.line})`), MAX_TRACEBACK_WIDTH)}`);
  if (created.traceback.length > 0) lines.push(paint(tracebackLine(created.traceback), 'dim'));
  return lines;
}

function restartBlock(restart: Restart): Block {
  const when = new Date(restart.time).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return {
    label: 'RESTART',
    style: ['yellow', 'bold'],
    lines: [`${when}: pid ${restart.previousPid} -> ${restart.pid}, RSS had peaked at ${formatSize(restart.previousPeakRssBytes)}`],
  };
}

function warningBlock(warnings: string[]): Block {
  const lines = warnings.slice(0, MAX_WARNINGS).map((warning) => truncate(safe(warning), MAX_TRACEBACK_WIDTH));
  if (warnings.length > MAX_WARNINGS) lines.push(`… and ${warnings.length - MAX_WARNINGS} more`);
  return { label: 'WARN', style: ['yellow'], lines };
}

function processSummary(verdict: Verdict): string {
  const { rss, heapUsed, external } = verdict.process;
  const part = (name: string, finding: SeriesFinding) => `${name} ${formatSize(finding.lastBytes)} (${formatRate(finding.growthBytesPerHour)})`;
  return [part('RSS', rss), part('heap used', heapUsed), part('external', external)].join(', ');
}

/** Where the heap's growth went when it is not a leak: sites whose growth is over (docs/verdict.md). */
function settledLine(verdict: Verdict): string | undefined {
  const { heapUsed } = verdict.process;
  const settled = heapUsed.settled;
  if (!settled || settled.growthBytesPerHour <= 0 || heapUsed.growthBytesPerHour <= 0) return undefined;
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const parts: string[] = [];
  if (settled.cachesAtBound > 0) parts.push(`${count(settled.cachesAtBound, 'cache at its bound', 'caches at their bound')} (old entries die as new ones come)`);
  if (settled.shortLived) parts.push(`${count(settled.shortLived, 'site whose objects live', 'sites whose objects live')} at most ~${settled.livesAtMostSeconds} s`);
  if (settled.levelledOff > 0) parts.push(count(settled.levelledOff, 'site that levelled off', 'sites that levelled off'));
  return `the heap's growth is held by ${parts.join(' and ')}: ${formatSize(settled.liveBytes)} now, not a leak`;
}

function nextSteps(verdict: Verdict, options: VerdictRenderOptions): string[] {
  const lines: string[] = [];
  const top: Suspect | undefined = verdict.suspects[0];
  if (verdict.verdict === 'leak' && top) {
    const where = truncate(safe(`${top.file || '(native)'}:${top.line}`), MAX_SITE_WIDTH);
    const spread = top.keyType === 'file' || top.keyType === 'package' ? `: its ${top.sites ?? 0} sites together hold the fastest-growing memory (start at line ${top.line}, the biggest)` : '';
    const keeper = top.keeper;
    if (keeper) {
      // Allocated here, kept there: the keeper is the code to change; the site comes second.
      const at = keeper.line === undefined ? keeper.file : `${keeper.file}:${keeper.line}`;
      const share = top.retainers?.[0] ? ` (${Math.round(top.retainers[0].objectShare * 100)}% of the new objects)` : '';
      lines.push(`open ${truncate(safe(at), MAX_SITE_WIDTH)}: its ${safe(keeper.what)} keeps alive what ${where} allocates${share}`);
    } else if (spread) lines.push(`open ${truncate(safe(top.file), MAX_SITE_WIDTH)}${spread}`);
    else if (top.keyType === 'handle' && top.handleType === OPEN_FDS_TYPE) lines.push(`open ${where}${top.function ? ` (${truncate(safe(top.function), MAX_SITE_WIDTH)})` : ''}: the files it opens stay open (close the descriptor or destroy the stream also when the work fails or is aborted)`);
    else if (top.keyType === 'handle') lines.push(`open ${where}${top.function ? ` (${truncate(safe(top.function), MAX_SITE_WIDTH)})` : ''}: the ${safe(top.handleType ?? '')} handles it creates stay open and keep what they reference alive`);
    else lines.push(`open ${where}${top.function ? ` (${truncate(safe(top.function), MAX_SITE_WIDTH)})` : ''}: it holds the fastest-growing memory`);
  } else if (verdict.verdict === 'leak' && verdict.nativeSuspects?.[0]) {
    const native = verdict.nativeSuspects[0];
    lines.push(`open the code of ${truncate(safe(native.function), MAX_SITE_WIDTH)} in ${safe(native.library)}: it holds the fastest-growing native memory`);
  } else if (verdict.verdict === 'leak') {
    lines.push(leakWithoutSuspect(verdict));
    if (verdict.process.nativeGap.leak && !verdict.native) lines.push('name the native code: heapsleuth run --native -- <command>');
  } else if (verdict.verdict === 'inconclusive') {
    lines.push('record longer, e.g. heapsleuth run --duration 10m -- <command>');
  }
  if (options.htmlPath) {
    lines.push(`charts and tracebacks: ${safe(options.htmlPath)}`);
  } else if (options.recordings && options.recordings.length > 0 && verdict.window.samples > 0) {
    lines.push(`charts and tracebacks: heapsleuth report ${options.recordings.map(shellQuote).join(' ')} -o report.html`);
  }
  if (options.jsonPath) lines.push(`verdict as JSON: ${safe(options.jsonPath)}`);
  if (lines.length === 0) lines.push('nothing to do');
  return lines;
}

/** Where to look first when memory leaks but no allocation site explains it. */
function leakWithoutSuspect(verdict: Verdict): string {
  const { nativeGap, external, arrayBuffers, heapUsed } = verdict.process;
  const handle = verdict.handles.find((finding) => finding.leak);
  if (handle?.type === OPEN_FDS_TYPE) return 'find where files are opened and never closed (streams not destroyed, descriptors not closed); sockets and pipes count too';
  if (handle) return `find where ${truncate(safe(handle.type), MAX_SITE_WIDTH)} handles are opened and never closed (timers not cleared, sockets or files not destroyed)`;
  if (nativeGap.leak) return 'look at native addons and Buffers kept alive by C++ code; JS allocation sites do not grow';
  if (external.leak || arrayBuffers.leak) return 'look for Buffers and typed arrays kept alive (caches, queues, streams not consumed): they grow outside the JS heap';
  if (heapUsed.leak) return 'many small sites grow together: heapsleuth diff <recording> --key function shows which functions hold the growth';
  return 'see the findings above';
}

function safe(text: string): string {
  return neutralise(text);
}

function shellQuote(text: string): string {
  const shown = neutralise(text);
  return /^[\w@%+=:,./-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, `'\\''`)}'`;
}
