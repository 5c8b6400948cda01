import { readdirSync } from 'node:fs';
import { Traceback } from '../model/traceback.js';
import { stackKey } from './call-stack.js';
import { FsOpenHooks, type FdOpenListener } from './fs-open-hooks.js';
import { isGrowing, type HandleSite } from './handle-sites.js';
import type { LocationResolver } from './locations.js';
import type { RawCallFrame } from './sampler.js';

/** Ticks of history the growth is judged on (as for handle types). */
const WINDOW = 4;
/** Ticks without growth after which the hooks go off again. */
const QUIET_TICKS = 10;
/** Stacks captured per tick, on average: the sampling rate follows how many files the last tick opened. */
const CAPTURES_PER_TICK = 64;
/** Stacks captured per tick at most, however the opens bunch up. */
const MAX_CAPTURES_PER_TICK = 4 * CAPTURES_PER_TICK;
/** Distinct opening stacks kept at most. */
const MAX_SITES = 200;
/** Sampled descriptors followed at most. */
const MAX_TRACKED = 10_000;
/** Handles that each hold a descriptor of their own: when these grow with the fds, their own creation sites say where. */
const FD_HOLDING_HANDLE = /^(TCP|Pipe|TTY|UDP|FSEvent)/i;

interface Site {
  frames: RawCallFrame[];
  live: number;
}

/**
 * Where the file descriptors that stay open were opened. The open fd count of a process
 * can grow while no handle type does (a file stream never destroyed holds its fd, not a
 * libuv handle). While the count keeps growing from tick to tick and the handles that
 * hold descriptors (sockets, pipes, watchers) do not grow with it, wrappers around the
 * `node:fs` functions that open and close descriptors (fs-open-hooks.ts) capture the
 * stack of a sample of the opens and follow those fds until they are closed. The hooks
 * cost only calls that open or close files, and only while they are on: ten ticks
 * without growth turn them off. Never throws into the host: a failure turns it off for good.
 */
export class FdSiteTracker implements FdOpenListener {
  private readonly fdCounts: number[] = [];
  private readonly handleCounts: number[] = [];
  private quietTicks = 0;
  private readonly hooks = new FsOpenHooks(this);
  private readonly sites = new Map<string, Site>();
  private readonly tracked = new Map<number, Site>();
  private probability = 1;
  private opensThisTick = 0;
  private capturesThisTick = 0;
  private failed = false;

  constructor(private readonly onFailure: (message: string) => void = () => {}) {}

  /** Whether the hooks are on now (fds grow that no handle explains). */
  get active(): boolean {
    return this.hooks.installed;
  }

  /** Called every tick with the open fd count and the handle counts by type: turns the hooks on or off. */
  observe(openFds: number | undefined, handles: Record<string, number> | undefined): void {
    if (this.failed || openFds === undefined) return;
    try {
      push(this.fdCounts, openFds);
      push(this.handleCounts, fdHoldingHandles(handles));
      if (isGrowing(this.fdCounts) && !this.explainedByHandles()) {
        this.quietTicks = 0;
        this.hooks.install();
      } else if (this.active && ++this.quietTicks >= QUIET_TICKS) {
        this.turnOff();
      }
      this.probability = Math.min(1, CAPTURES_PER_TICK / Math.max(1, this.opensThisTick));
      this.opensThisTick = 0;
      this.capturesThisTick = 0;
    } catch (error) {
      this.fail(error);
    }
  }

  /** Sampled fds still open, by the stack that opened them. */
  snapshot(resolver: LocationResolver): HandleSite[] {
    if (!this.active || this.tracked.size === 0) return [];
    try {
      this.forgetClosed();
      const result: HandleSite[] = [];
      for (const site of this.sites.values()) {
        if (site.live > 0) result.push({ traceback: new Traceback(site.frames.map((frame) => resolver.frameOf(frame))), live: site.live });
      }
      return result;
    } catch (error) {
      this.fail(error);
      return [];
    }
  }

  close(): void {
    this.turnOff();
  }

  wants(): boolean {
    this.opensThisTick += 1;
    if (this.capturesThisTick >= MAX_CAPTURES_PER_TICK) return false;
    if (this.probability < 1 && Math.random() >= this.probability) return false;
    this.capturesThisTick += 1;
    return true;
  }

  opened(fd: unknown, frames: RawCallFrame[] | undefined): void {
    if (typeof fd !== 'number') return;
    try {
      // the number may have been closed behind the hooks' back and reused
      this.closed(fd);
      if (!frames || !frames.some(isOutsideRuntime) || this.tracked.size >= MAX_TRACKED) return;
      const key = stackKey(frames);
      let site = this.sites.get(key);
      if (!site) {
        if (this.sites.size >= MAX_SITES) return;
        site = { frames, live: 0 };
        this.sites.set(key, site);
      }
      site.live += 1;
      this.tracked.set(fd, site);
    } catch (error) {
      this.fail(error);
    }
  }

  closed(fd: unknown): void {
    if (typeof fd !== 'number') return;
    const site = this.tracked.get(fd);
    if (!site) return;
    this.tracked.delete(fd);
    site.live -= 1;
  }

  /** The descriptor-holding handles rose by at least half as much as the fds over the window. */
  private explainedByHandles(): boolean {
    const fdRise = this.fdCounts.at(-1)! - this.fdCounts[0]!;
    const handleRise = this.handleCounts.at(-1)! - this.handleCounts[0]!;
    return handleRise * 2 >= fdRise;
  }

  /** Descriptors closed where the hooks do not see it (a FileHandle collected, a native close) are gone from /proc. */
  private forgetClosed(): void {
    if (process.platform !== 'linux') return;
    const open = new Set(readdirSync('/proc/self/fd').map(Number));
    for (const fd of [...this.tracked.keys()]) if (!open.has(fd)) this.closed(fd);
  }

  private turnOff(): void {
    this.hooks.uninstall();
    this.sites.clear();
    this.tracked.clear();
    this.quietTicks = 0;
  }

  private fail(error: unknown): void {
    this.failed = true;
    try {
      this.turnOff();
    } catch {
      // already off
    }
    this.onFailure(`fd open sites are off: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function push(window: number[], value: number): void {
  window.push(value);
  if (window.length > WINDOW) window.shift();
}

function fdHoldingHandles(handles: Record<string, number> | undefined): number {
  let count = 0;
  for (const [type, n] of Object.entries(handles ?? {})) if (FD_HOLDING_HANDLE.test(type)) count += n;
  return count;
}

/** A frame in a file (not `node:` internals or a builtin): a stack made only of those says nothing about who opened the file. */
function isOutsideRuntime(frame: RawCallFrame): boolean {
  return frame.url !== '' && !frame.url.startsWith('node:');
}
