import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './cli-error.js';
import { parseDurationMs } from '../agent/durations.js';

type Options = NonNullable<ParseArgsConfig['options']>;
export type ParsedOptions<T extends Options> = ReturnType<typeof parseArgs<{ options: T; allowPositionals: boolean; strict: true }>>;

/**
 * util.parseArgs with errors turned into one-line usage errors. A value that starts with
 * a dash (`--at -1`, `--to -2`) is taken as the option's value, as the help texts show;
 * util.parseArgs alone calls it ambiguous.
 */
export function parseOptions<T extends Options>(args: string[], options: T, command: string, allowPositionals = true): ParsedOptions<T> {
  try {
    return parseArgs({ args: joinNegativeValues(args, options), options, allowPositionals, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    throw new CliError(`${command}: ${message.replace(/^TypeError \[[A-Z_]+\]: /, '')}. See 'heapsleuth ${command} --help'.`);
  }
}

/** `--at -1` becomes `--at=-1` for options that take a value, when the value is a negative number. */
function joinNegativeValues(args: string[], options: Options): string[] {
  const takesValue = (arg: string): boolean => arg.startsWith('--') && options[arg.slice(2)]?.type === 'string';
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      joined.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    if (next !== undefined && /^-\d/.test(next) && takesValue(arg)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

/** `500ms`, `5s`, `2m`, `1h`, `1d`, or a bare number of seconds; milliseconds. */
export function parseDuration(text: string, what: string): number {
  try {
    return parseDurationMs(/^\d+(\.\d+)?$/.test(text.trim()) ? `${text.trim()}s` : text, what);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
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
