import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { CliError } from './cli-error.js';

export interface TargetExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** heapsleuth asked it to stop (duration reached, or Ctrl-C forwarded). */
  stoppedByUs: boolean;
}

const GRACE_MS = 5000;
const LEFTOVER_POLL_MS = 50;

export interface TargetOptions {
  /**
   * Keep the command in heapsleuth's process group, the terminal's foreground one, so
   * that it can read the terminal (a detached group that reads it is stopped by SIGTTIN).
   * A Ctrl-C then reaches the command from the terminal itself. Default: its own group.
   */
  foreground?: boolean;
  /** How long each stop signal gets before the next, harder one (longer while heap snapshots are written). Default 5 s. */
  graceMs?: number;
}

/** Marks the command and everything it starts, to find what it left behind. */
const RUN_MARK = 'HEAPSLEUTH_RUN_ID';

/**
 * The command being observed, in a process group of its own so that stopping it also
 * stops its children (or in the foreground, see TargetOptions). Stopping escalates:
 * SIGINT, then SIGTERM, then SIGKILL, with a grace period between (the agent writes its
 * final tick on SIGINT). When the command has exited, what it left running gets SIGTERM,
 * then SIGKILL after the grace period: a run leaves no orphans behind. In its own group
 * that is the group; in the foreground, the processes that carry the run's mark in their
 * environment (Linux's /proc).
 */
export class TargetProcess {
  private readonly child: ChildProcess;
  private stoppedByUs = false;
  private escalation: NodeJS.Timeout | undefined;
  private readonly foreground: boolean;
  private graceMs: number;
  private readonly mark = randomUUID();
  readonly exited: Promise<TargetExit>;

  constructor(command: string[], env: NodeJS.ProcessEnv, options: TargetOptions = {}) {
    const [file, ...args] = command;
    if (!file) throw new CliError("no command given: put it after '--', e.g. heapsleuth run -- node server.js");
    this.foreground = options.foreground === true || process.platform === 'win32';
    this.graceMs = options.graceMs ?? GRACE_MS;
    this.child = spawn(file, args, { stdio: 'inherit', env: { ...env, [RUN_MARK]: this.mark }, detached: !this.foreground });
    this.exited = new Promise((resolve, reject) => {
      this.child.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'ENOENT'
            ? new CliError(`command not found: ${file}`)
            : error.code === 'EACCES'
              ? new CliError(`command not executable: ${file}`)
              : new CliError(`cannot start ${file}: ${error.message}`),
        );
      });
      this.child.once('exit', (code, signal) => {
        clearTimeout(this.escalation);
        const stoppedByUs = this.stoppedByUs;
        void this.stopLeftovers().then(() => resolve({ code, signal, stoppedByUs }));
      });
    });
  }

  /** From now on each stop signal gets at least `ms` (a heap snapshot at the stop takes seconds to minutes). */
  extendGrace(ms: number): void {
    this.graceMs = Math.max(this.graceMs, ms);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Asks the target to stop, escalating until it does. `interrupted`: a Ctrl-C on the
   * terminal, which the foreground command received itself (a second SIGINT would cut
   * short the agent's final tick).
   */
  stop(interrupted = false): void {
    if (this.stoppedByUs) return;
    this.stoppedByUs = true;
    if (!(interrupted && this.foreground)) this.signal('SIGINT');
    this.escalation = setTimeout(() => {
      this.signal('SIGTERM');
      this.escalation = setTimeout(() => this.signal('SIGKILL'), this.graceMs).unref();
    }, this.graceMs).unref();
  }

  /** Stops it now (a second Ctrl-C). */
  kill(): void {
    this.stoppedByUs = true;
    this.signal('SIGKILL');
  }

  /** Ends the processes the command started and left behind. */
  private async stopLeftovers(): Promise<void> {
    if (this.foreground) return this.stopMarkedLeftovers();
    const group = this.child.pid;
    if (group === undefined || process.platform === 'win32' || !signalGroup(group, 0)) return;
    signalGroup(group, 'SIGTERM');
    for (let waited = 0; waited < GRACE_MS; waited += LEFTOVER_POLL_MS) {
      await new Promise((resolve) => setTimeout(resolve, LEFTOVER_POLL_MS));
      if (!signalGroup(group, 0)) return;
    }
    signalGroup(group, 'SIGKILL');
  }

  private async stopMarkedLeftovers(): Promise<void> {
    const signalAll = (signal: NodeJS.Signals | 0) => markedProcesses(this.mark).filter((pid) => signalProcess(pid, signal)).length > 0;
    if (!signalAll('SIGTERM')) return;
    for (let waited = 0; waited < GRACE_MS; waited += LEFTOVER_POLL_MS) {
      await new Promise((resolve) => setTimeout(resolve, LEFTOVER_POLL_MS));
      if (!signalAll(0)) return;
    }
    signalAll('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      if (this.foreground) throw new Error('no group of its own');
      process.kill(process.platform === 'win32' ? pid : -pid, signal);
    } catch {
      try {
        this.child.kill(signal);
      } catch {
        // already gone
      }
    }
  }
}

/** Sends a signal to every process of a group (0: only checks that one is left); false when none is. */
function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-group, signal);
    return true;
  } catch {
    return false;
  }
}

/** Processes whose environment carries the run's mark (none where /proc cannot tell). */
function markedProcesses(mark: string): number[] {
  const entry = Buffer.from(`${RUN_MARK}=${mark}\0`);
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`);
      if (environ.includes(entry)) found.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

function signalProcess(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
