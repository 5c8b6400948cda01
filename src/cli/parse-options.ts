import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './cli-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;
export type ParsedOptions<T extends Options> = ReturnType<typeof parseArgs<{ options: T; allowPositionals: boolean; strict: true }>>;

/** util.parseArgs with errors turned into one-line usage errors. */
export function parseOptions<T extends Options>(args: string[], options: T, command: string, allowPositionals = true): ParsedOptions<T> {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    throw new CliError(`heapsleuth ${command}: ${message.replace(/^TypeError \[[A-Z_]+\]: /, '')}. See 'heapsleuth ${command} --help'.`);
  }
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `5s`, `2m`, `1h`, `1d`, or a bare number of seconds; milliseconds. */
export function parseDuration(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new CliError(`${what}: cannot read duration ${JSON.stringify(text)}; use e.g. 500ms, 5s, 2m, 1h`);
  const value = Number(match[1]) * DURATION_UNITS[match[2] ?? 's']!;
  if (!(value > 0)) throw new CliError(`${what}: duration must be more than zero`);
  return value;
}

const SIZE_UNITS: Record<string, number> = { b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** `65536`, `64k`, `64KiB`, `1m`; bytes. */
export function parseBytes(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = SIZE_UNITS[(match?.[2] || 'b').toLowerCase()];
  if (!match || unit === undefined) throw new CliError(`${what}: cannot read size ${JSON.stringify(text)}; use e.g. 65536, 64KiB, 1MiB`);
  const value = Math.round(Number(match[1]) * unit);
  if (!(value > 0)) throw new CliError(`${what}: size must be more than zero`);
  return value;
}
