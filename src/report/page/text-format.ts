/** Page-only wording; sizes, rates, durations and confidences come from the shared formatters. */

/** A timestamp in the reader's locale and time zone; the string itself when it does not parse. */
export function formatClock(iso: string): string {
  const date = new Date(iso);
  return isNaN(date.getTime())
    ? String(iso)
    : date.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** `3 samples`, `1 sample`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A function's name as the page shows it. */
export function functionName(name: string): string {
  return name || '(anonymous)';
}
