const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds from a number of milliseconds or a duration such as `500ms`, `5s`, `2m`, `1h`. */
export function parseDurationMs(value: number | string, what: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value > 0) return value;
    throw new RangeError(`${what} must be a positive number of milliseconds, got ${value}`);
  }
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) throw new RangeError(`${what}: cannot read duration ${JSON.stringify(value)}; use e.g. 500ms, 5s, 2m, 1h`);
  const ms = Number(match[1]) * UNITS[match[2]!]!;
  if (!(ms > 0)) throw new RangeError(`${what} must be more than zero`);
  return ms;
}
