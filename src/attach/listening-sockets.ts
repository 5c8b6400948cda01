import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { AttachError } from './attach-error.js';

/** A TCP socket a process listens on. */
export interface ListeningSocket {
  /** `127.0.0.1`, `::1`, `0.0.0.0`, `::`, ... */
  address: string;
  port: number;
  inode: number;
}

/**
 * The TCP sockets a process listens on, from procfs: the listening sockets of its network
 * namespace (`/proc/<pid>/net/tcp{,6}`) whose inodes are among its open descriptors.
 * Needs the rights to read the process's descriptors (same user, or root).
 */
export function listeningSocketsOf(pid: number): ListeningSocket[] {
  const inodes = socketInodesOf(pid);
  return listeningSocketsIn(`/proc/${pid}/net`).filter((socket) => inodes.has(socket.inode));
}

/** Every listening TCP socket of the network namespace that `netDir` (`/proc/<pid>/net`) shows. */
export function listeningSocketsIn(netDir: string): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const file of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`${netDir}/${file}`, 'utf8');
    } catch {
      continue; // no IPv6 in this kernel, or no procfs
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, , state] = [fields[1], fields[2], fields[3]];
      const inode = Number(fields[9]);
      if (!local || state !== '0A' || !Number.isFinite(inode)) continue; // 0A: LISTEN
      const [hexAddress, hexPort] = local.split(':');
      if (!hexAddress || !hexPort) continue;
      sockets.push({ address: decodeAddress(hexAddress), port: parseInt(hexPort, 16), inode });
    }
  }
  return sockets;
}

/** Whether an address only this host can reach. */
export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.') || address === 'localhost';
}

function socketInodesOf(pid: number): Set<number> {
  const inodes = new Set<number>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AttachError('no-such-process', `no process with pid ${pid}`);
    if (code === 'EACCES' || code === 'EPERM') throw new AttachError('permission-denied', `permission denied: cannot read the sockets of pid ${pid} (run heapsleuth as the same user as the process, or as root)`);
    throw error;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(Number(match[1]));
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** procfs prints addresses as the kernel stores them: 32-bit words in host byte order (little-endian here). */
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) => [6, 4, 2, 0].map((at) => parseInt(word.slice(at, at + 2), 16)));
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}
