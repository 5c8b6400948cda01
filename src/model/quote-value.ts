/**
 * A value read from a file, quoted for a one-line message: JSON (so control characters
 * and newlines show as escapes), cut to `max` characters so that a hostile file cannot
 * turn an error into megabytes of output.
 */
export function quoteValue(value: unknown, max = 40): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
