import { createHook, type AsyncHook } from 'node:async_hooks';
import { Traceback } from '../model/traceback.js';
import type { LocationResolver } from './locations.js';
import type { RawCallFrame } from './sampler.js';
import { captureFrames, stackKey } from './call-stack.js';

/** Live handles of one type created at one stack (sampled). */
export interface HandleSite {
  traceback: Traceback;
  /** Sampled handles created here that are still open. */
  live: number;
}

/** Creation sites by handle type, as `process.getActiveResourcesInfo()` names the type. */
export type HandleSites = Record<string, HandleSite[]>;

/** Ticks of history a type's growth is judged on. */
const WINDOW = 4;
/** A watched type that has not grown for this many ticks is let go. */
const QUIET_TICKS = 10;
/** Stacks captured per type per tick at most: the hook's cost stays bounded however fast handles come. */
const CAPTURES_PER_TICK = 64;
/** Distinct creation stacks kept per type at most. */
const MAX_SITES = 200;

interface Site {
  type: string;
  frames: RawCallFrame[];
  live: number;
}

/**
 * Where new handles of a growing type are created. "TCPSocketWrap: 1730 open" says what
 * leaks, not where: while a handle type keeps growing from tick to tick, an `async_hooks`
 * init hook captures the stack of (a bounded sample of) new handles of that type, and a
 * destroy hook forgets those closed since. The hook is on only while some type grows
 * (it costs every async resource a call, promises included); when none grows it is off.
 * Never throws into the host: a failure turns it off for good.
 */
export class HandleSiteTracker {
  private readonly history = new Map<string, number[]>();
  /** Normalised async_hooks type -> the type's name in getActiveResourcesInfo(), for types that grow. */
  private readonly watched = new Map<string, string>();
  private readonly quietTicks = new Map<string, number>();
  private readonly captured = new Map<string, number>();
  private readonly sites = new Map<string, Site>();
  private readonly liveIds = new Map<number, Site>();
  private hook: AsyncHook | undefined;
  private failed = false;
  private readonly initHook = (asyncId: number, type: string): void => this.onInit(asyncId, type);

  constructor(private readonly onFailure: (message: string) => void = () => {}) {}

  /** Whether the hook is on now (some handle type grows). */
  get active(): boolean {
    return this.hook !== undefined;
  }

  /** Called every tick with the handle counts by type: starts or stops watching types. */
  observe(handles: Record<string, number> | undefined): void {
    if (this.failed || !handles) return;
    this.captured.clear();
    for (const [type, count] of Object.entries(handles)) {
      const counts = this.history.get(type) ?? [];
      counts.push(count);
      if (counts.length > WINDOW) counts.shift();
      this.history.set(type, counts);
      const key = normalise(type);
      if (isGrowing(counts)) {
        this.watched.set(key, type);
        this.quietTicks.set(key, 0);
      } else if (this.watched.has(key)) {
        const quiet = (this.quietTicks.get(key) ?? 0) + 1;
        this.quietTicks.set(key, quiet);
        if (quiet >= QUIET_TICKS) this.unwatch(key);
      }
    }
    if (this.watched.size > 0) this.enable();
    else this.disable();
  }

  /** Live sampled handles by creation stack, for the types watched now. */
  snapshot(resolver: LocationResolver): HandleSites {
    const result: HandleSites = {};
    for (const site of this.sites.values()) {
      if (site.live <= 0) continue;
      const type = this.watched.get(site.type);
      if (!type) continue;
      (result[type] ??= []).push({ traceback: new Traceback(site.frames.map((frame) => resolver.frameOf(frame))), live: site.live });
    }
    return result;
  }

  close(): void {
    this.disable();
  }

  private enable(): void {
    if (this.hook) return;
    try {
      this.hook = createHook({ init: this.initHook, destroy: (asyncId) => this.onDestroy(asyncId) }).enable();
    } catch (error) {
      this.fail(error);
    }
  }

  private disable(): void {
    this.hook?.disable();
    this.hook = undefined;
    this.sites.clear();
    this.liveIds.clear();
  }

  private unwatch(key: string): void {
    this.watched.delete(key);
    this.quietTicks.delete(key);
    for (const [id, site] of this.liveIds) if (site.type === key) this.liveIds.delete(id);
    for (const [siteKey, site] of this.sites) if (site.type === key) this.sites.delete(siteKey);
  }

  private onInit(asyncId: number, type: string): void {
    try {
      const key = normalise(type);
      if (!this.watched.has(key)) return;
      const count = this.captured.get(key) ?? 0;
      if (count >= CAPTURES_PER_TICK) return;
      this.captured.set(key, count + 1);
      const frames = captureFrames(this.initHook);
      const siteKey = `${key}\u0001${stackKey(frames)}`;
      let site = this.sites.get(siteKey);
      if (!site) {
        if (this.sites.size >= MAX_SITES * this.watched.size) return;
        site = { type: key, frames, live: 0 };
        this.sites.set(siteKey, site);
      }
      site.live += 1;
      this.liveIds.set(asyncId, site);
    } catch (error) {
      this.fail(error);
    }
  }

  private onDestroy(asyncId: number): void {
    const site = this.liveIds.get(asyncId);
    if (!site) return;
    this.liveIds.delete(asyncId);
    site.live -= 1;
  }

  private fail(error: unknown): void {
    this.failed = true;
    try {
      this.disable();
    } catch {
      // already off
    }
    this.onFailure(`handle creation sites are off: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** `TCPSocketWrap` (getActiveResourcesInfo) and `TCPWRAP` (async_hooks) both become `TCP`. */
export function normalise(type: string): string {
  return type.toUpperCase().replace(/WRAP$/, '').replace(/SOCKET$/, '');
}

/** Rose in at least two of the last three ticks and stands above where it was three ticks ago. */
export function isGrowing(counts: readonly number[]): boolean {
  if (counts.length < WINDOW) return false;
  let rises = 0;
  for (let i = 1; i < counts.length; i++) if (counts[i]! > counts[i - 1]!) rises++;
  return rises >= 2 && counts.at(-1)! > counts[0]!;
}
