import { spawn, type ChildProcess } from 'node:child_process';
import { CliError } from './cli-error.js';

export interface TargetExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** heapsleuth asked it to stop (duration reached, or Ctrl-C forwarded). */
  stoppedByUs: boolean;
}

const GRACE_MS = 5000;
const LEFTOVER_POLL_MS = 50;

/**
 * The command being observed, in a process group of its own so that stopping it also
 * stops its children. Stopping escalates: SIGINT, then SIGTERM, then SIGKILL, with a
 * grace period between (the agent writes its final tick on SIGINT). When the command
 * has exited, what it left running in its group gets SIGTERM, then SIGKILL after the
 * grace period: a run leaves no orphans behind.
 */
export class TargetProcess {
  private readonly child: ChildProcess;
  private stoppedByUs = false;
  private escalation: NodeJS.Timeout | undefined;
  readonly exited: Promise<TargetExit>;

  constructor(
    command: string[],
    env: NodeJS.ProcessEnv,
    /** How long each stop signal gets before the next, harder one (longer while heap snapshots are written). */
    private readonly graceMs = GRACE_MS,
  ) {
    const [file, ...args] = command;
    if (!file) throw new CliError("no command given: put it after '--', e.g. heapsleuth run -- node server.js");
    this.child = spawn(file, args, { stdio: 'inherit', env, detached: process.platform !== 'win32' });
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

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Asks the target to stop, escalating until it does. */
  stop(): void {
    if (this.stoppedByUs) return;
    this.stoppedByUs = true;
    this.signal('SIGINT');
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

  /** Ends the processes the command started and left behind in its group. */
  private async stopLeftovers(): Promise<void> {
    const group = this.child.pid;
    if (group === undefined || process.platform === 'win32' || !signalGroup(group, 0)) return;
    signalGroup(group, 'SIGTERM');
    for (let waited = 0; waited < GRACE_MS; waited += LEFTOVER_POLL_MS) {
      await new Promise((resolve) => setTimeout(resolve, LEFTOVER_POLL_MS));
      if (!signalGroup(group, 0)) return;
    }
    signalGroup(group, 'SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
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
