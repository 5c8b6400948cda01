/**
 * Parsing a Prometheus API answer whose points are read straight into numbers. A range
 * query's answer is almost all points, `[1795766400,"2410756"]`, and JSON.parse makes an
 * array and a string of each before they become two numbers: for a fleet that was most of
 * the time spent decoding and most of the reader's memory (bench/fleet/README.md). Each
 * `"values":[[...]]` array is scanned here instead and the rest, labels and status, is left
 * to JSON.parse. Anything that is not exactly that shape is left to JSON.parse too.
 */

/** The points of one series: epoch seconds, and each value as Number() reads Prometheus's string (NaN for `+Inf`). */
export interface ScannedPoints {
  scanned: true;
  times: number[];
  values: number[];
}

const VALUES_KEY = '"values":[[';
const OPEN = 91; // [
const CLOSE = 93; // ]
const COMMA = 44; // ,
const QUOTE = 34; // "

/**
 * JSON.parse of a Prometheus API answer, except that each matrix series' `values` is a
 * ScannedPoints rather than an array of `[time, "value"]` pairs. Throws as JSON.parse
 * does on text that is not JSON.
 */
export function parseAnswer(text: string): unknown {
  const scanned: ScannedPoints[] = [];
  const skeleton: string[] = [];
  let copiedTo = 0;
  for (let at = text.indexOf(VALUES_KEY); at >= 0; at = text.indexOf(VALUES_KEY, at)) {
    const points = scanPairs(text, at + VALUES_KEY.length - 2);
    if (!points) {
      // Not the shape expected: JSON.parse reads this array as it is.
      at += VALUES_KEY.length;
      continue;
    }
    skeleton.push(text.slice(copiedTo, at), `"values":${scanned.length}`);
    scanned.push(points.points);
    copiedTo = at = points.end;
  }
  if (scanned.length === 0) return JSON.parse(text);
  skeleton.push(text.slice(copiedTo));
  return JSON.parse(skeleton.join(''), function (this: Record<string, unknown>, key, value: unknown) {
    return key === 'values' && typeof value === 'number' && typeof this.metric === 'object' ? scanned[value] : value;
  });
}

/**
 * `[[t,"v"],[t,"v"],...]` from `start` (its first `[`): the points and the index just past
 * the closing `]`, or undefined where the text is anything else.
 */
function scanPairs(text: string, start: number): { points: ScannedPoints; end: number } | undefined {
  const times: number[] = [];
  const values: number[] = [];
  let i = start + 1;
  for (;;) {
    if (text.charCodeAt(i) !== OPEN) return undefined;
    const comma = text.indexOf(',', i + 1);
    if (comma < 0 || text.charCodeAt(comma + 1) !== QUOTE) return undefined;
    const closingQuote = text.indexOf('"', comma + 2);
    if (closingQuote < 0 || text.charCodeAt(closingQuote + 1) !== CLOSE) return undefined;
    const timeText = text.slice(i + 1, comma);
    const valueText = text.slice(comma + 2, closingQuote);
    // As JSON.parse then Number() would read them; an escape in a value is left to JSON.parse.
    const time = Number(timeText);
    if (timeText.length === 0 || Number.isNaN(time) || valueText.includes('\\')) return undefined;
    const value = Number(valueText);
    times.push(time);
    values.push(value);
    i = closingQuote + 2;
    const next = text.charCodeAt(i);
    if (next === COMMA) i++;
    else if (next === CLOSE) return { points: { scanned: true, times, values }, end: i + 1 };
    else return undefined;
  }
}

