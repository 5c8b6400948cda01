import { constants } from 'node:os';

/**
 * Signals the on-demand tick may not use: SIGKILL and SIGSTOP cannot be caught, SIGUSR1
 * starts Node's inspector, faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL) leave no safe state to
 * run JavaScript in, and SIGINT, SIGTERM and SIGHUP already end the process with a final tick.
 */
const UNUSABLE = new Set(['SIGKILL', 'SIGSTOP', 'SIGUSR1', 'SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGINT', 'SIGTERM', 'SIGHUP']);

/** Why `name` cannot be the on-demand tick signal, or undefined when it can. */
export function onDemandSignalProblem(name: string): string | undefined {
  if (!Object.hasOwn(constants.signals, name)) return `${JSON.stringify(name)} is not a signal on this system`;
  if (UNUSABLE.has(name)) return `${name} cannot be used for on-demand ticks (use e.g. SIGUSR2 or SIGPWR)`;
  return undefined;
}
