import { readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { AttachError } from './attach-error.js';

const SIGUSR1_BIT = 1n << 9n; // signal 10, bit 9 of the masks in /proc/<pid>/status

/** What procfs tells about a process before heapsleuth signals it. */
export interface TargetProcessInfo {
  pid: number;
  /** The executable's name (`node`), or the command name when the executable cannot be read. */
  name: string;
  argv: string[];
  /** The process handles SIGUSR1: Node does, to open its inspector, unless that is disabled. */
  catchesSigusr1: boolean;
  /** The executable looks like Node.js. */
  looksLikeNode: boolean;
  /** The inspector port the process would open on SIGUSR1 (`--inspect-port`, `--inspect=host:port`; default 9229). */
  inspectorPort: number;
  /** The inspector host from the same options, when given. */
  inspectorHost: string | undefined;
}

/** Reads /proc/<pid>; one-line errors for a pid that does not exist or belongs to someone else. */
export function describeTargetProcess(pid: number): TargetProcessInfo {
  try {
    process.kill(pid, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw new AttachError('no-such-process', `no process with pid ${pid}`);
    if (code === 'EPERM') throw new AttachError('permission-denied', `permission denied: pid ${pid} belongs to another user (run heapsleuth as that user, or as root)`);
    throw error;
  }
  const status = readProc(pid, 'status');
  const comm = /^Name:\s*(.*)$/m.exec(status)?.[1] ?? '?';
  const caught = /^SigCgt:\s*([0-9a-f]+)$/im.exec(status)?.[1];
  let exe: string | undefined;
  try {
    exe = readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch {
    // a kernel thread, or not ours to read
  }
  const argv = readProc(pid, 'cmdline').split('\0').filter(Boolean);
  const name = exe ? basename(exe) : comm;
  const options = [...argv.slice(1), ...nodeOptionsOf(pid)];
  const inspect = inspectorAddressOf(options);
  return {
    pid,
    name,
    argv,
    catchesSigusr1: caught !== undefined && (BigInt(`0x${caught}`) & SIGUSR1_BIT) !== 0n,
    looksLikeNode: /node/i.test(name),
    inspectorPort: inspect.port ?? 9229,
    inspectorHost: inspect.host,
  };
}

/** Whether the process still exists (zombies count as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') throw new AttachError('no-such-process', `no process with pid ${pid}`);
    if (code === 'EACCES' || code === 'EPERM') throw new AttachError('permission-denied', `permission denied: cannot read /proc/${pid}/${file}`);
    throw error;
  }
}

/** The words of NODE_OPTIONS in the process's environment (empty when unreadable). */
function nodeOptionsOf(pid: number): string[] {
  try {
    const entry = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((line) => line.startsWith('NODE_OPTIONS='));
    return entry ? entry.slice('NODE_OPTIONS='.length).split(/\s+/).filter(Boolean) : [];
  } catch {
    return [];
  }
}

/** The last `--inspect-port=`/`--inspect=`-style option wins, as in Node. */
function inspectorAddressOf(options: string[]): { host?: string; port?: number } {
  const found: { host?: string; port?: number } = {};
  for (let i = 0; i < options.length; i++) {
    const option = options[i]!;
    if (option === '--') break;
    const match = /^--(?:inspect-port|debug-port|inspect|inspect-brk|inspect-wait)(?:=(.*))?$/.exec(option);
    if (!match) continue;
    const isPortOption = /^--(inspect-port|debug-port)/.test(option);
    const value = match[1] ?? (isPortOption ? options[++i] : undefined);
    if (value === undefined) continue;
    const at = value.lastIndexOf(':');
    const portText = at === -1 ? value : value.slice(at + 1);
    if (at !== -1) found.host = value.slice(0, at).replace(/^\[|\]$/g, '');
    else if (!/^\d+$/.test(value)) {
      found.host = value;
      continue;
    }
    if (/^\d+$/.test(portText)) found.port = Number(portText);
  }
  return found;
}
