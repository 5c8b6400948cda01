import type { Traceback } from './traceback.js';

/** Live memory held by one allocation stack: estimated bytes and objects. */
export interface Trace {
  readonly traceback: Traceback;
  readonly size: number;
  readonly count: number;
  /**
   * Sampled objects of this stack that had lived through earlier snapshots and died since
   * the previous one (where the sampler tells samples apart): a cache turning over, not a leak.
   */
  readonly oldDeaths?: number;
  /**
   * Snapshots the stack's oldest live sampled object had been seen alive in before this one
   * (where the sampler tells samples apart): a leak's oldest object is as old as the leak.
   */
  readonly oldestAge?: number;
}
