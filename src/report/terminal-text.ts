/**
 * Characters that must not reach a terminal from a profile: C0 and C1 controls (escape
 * sequences, carriage returns that overwrite lines), bidirectional overrides and
 * isolates (text that reads differently than it is), zero-width characters and line
 * separators.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Shows unsafe characters as visible `\u{…}` escapes, so a name prints as what it is. */
export function neutralise(text: string): string {
  return text.replace(UNSAFE, (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`);
}

/** Cuts `text` to at most `width` characters, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  if (chars.length <= width) return text;
  return chars.slice(0, width - 1).join('') + '…';
}
