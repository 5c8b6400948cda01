/**
 * Which snapshot of a file `--at` (and `diff`'s `--from`/`--to`) names: an index (negative
 * counts from the end) or a time (the latest snapshot taken at or before it). Parsed once,
 * then resolved against a file's times, whole (load-profile.ts) or as they stream by
 * (recording-ticks.ts), with the same messages.
 */
export type SnapshotChoice = { index: number } | { time: number };

/** `--at` text as a choice (absent or blank: the index `fallback`); undefined when it is neither an index nor a time. */
export function parseSnapshotChoice(at: string | undefined, fallback = -1): SnapshotChoice | undefined {
  const text = at?.trim();
  if (text === undefined || text === '') return { index: fallback };
  if (/^[-+]?\d+$/.test(text)) return { index: Number(text) };
  const time = parseUtcTime(text);
  return Number.isFinite(time) ? { time } : undefined;
}

export function unreadableChoiceMessage(at: string | undefined): string {
  return `cannot read ${JSON.stringify(at)} as a sample index or an ISO time (e.g. 0, -1, 2024-05-01T12:00:00Z)`;
}

/** An ISO time; one without a zone is UTC, as every time heapsleuth prints is (Date.parse would take it as local time). */
function parseUtcTime(text: string): number {
  const zoneless = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text);
  return Date.parse(zoneless ? `${text.replace(' ', 'T')}Z` : text);
}

/** The 0-based index an index choice names among `count` snapshots, or undefined when there is none. */
export function indexInRange(index: number, count: number): number | undefined {
  const resolved = index < 0 ? count + index : index;
  return resolved >= 0 && resolved < count ? resolved : undefined;
}

/**
 * Whether a snapshot taken at `time` replaces `chosen` (taken at `chosenTime`) as the one a
 * time choice names, seen in file order: the latest at or before it, the later one of equals.
 */
export function timeChoiceTakes(choice: { time: number }, time: number, chosenTime: number | undefined): boolean {
  return time <= choice.time && (chosenTime === undefined || time >= chosenTime);
}

/**
 * Why a choice names no snapshot of a file holding `count` of them, the first taken at
 * `firstTime`: the one line people read.
 */
export function missingChoiceMessage(source: string, choice: SnapshotChoice, count: number, firstTime: number | undefined): string {
  if (count === 0) return `${source}: holds no samples yet`;
  if ('index' in choice) {
    return `${source}: sample ${choice.index} does not exist (it holds ${count} sample${count === 1 ? '' : 's'}: 0..${count - 1}, or -1 for the last)`;
  }
  return `${source}: no sample at or before ${new Date(choice.time).toISOString()} (the first is at ${new Date(firstTime ?? 0).toISOString()})`;
}
