import { hostname } from 'node:os';
import { writeStderr } from './stderr.js';

/** The part of a pino or winston logger the tracer uses: `info(object, message)`. */
export interface Logger {
  info(object: object, message?: string): unknown;
  warn?(object: object, message?: string): unknown;
}

const LEVELS = { info: 30, warn: 40 } as const;

/**
 * Writes pino-compatible JSON lines (`level`, `time`, `pid`, `hostname`, `name`, `msg`
 * and the event's fields) to a stream, stderr by default.
 */
export function jsonLineLogger(write: (line: string) => void = writeStderr): Logger {
  const base = { pid: process.pid, hostname: hostname(), name: 'heapsleuth' };
  const log = (level: keyof typeof LEVELS) => (object: object, message?: string) => {
    write(JSON.stringify({ level: LEVELS[level], time: Date.now(), ...base, ...object, msg: message ?? '' }) + '\n');
  };
  return { info: log('info'), warn: log('warn') };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { info: () => undefined };

/**
 * Reports each kind of agent failure once: the agent must tell, but must not flood a
 * service's logs with the same complaint every tick. Warnings always reach stderr when
 * the logger has no warn() (or logging is off): a silent failure is worse.
 */
export class Warnings {
  private readonly seen = new Set<string>();

  constructor(private readonly logger: Logger | undefined) {}

  once(kind: string, message: string): void {
    if (this.seen.has(kind)) return;
    this.seen.add(kind);
    try {
      if (this.logger?.warn) this.logger.warn({ event: 'agent_warning', kind }, `heapsleuth: ${message}`);
      else writeStderr(`heapsleuth: warning: ${message}\n`);
    } catch {
      // a broken logger must not break the host either
    }
  }
}
