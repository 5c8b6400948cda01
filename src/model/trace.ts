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
  /**
   * Live sampled objects of the stack more than twice as old as the oldest of its objects seen
   * to die old (where the sampler tells samples apart): a leak beside objects that turn over
   * keeps adding to them; a cache's long-lived hot keys stay a fixed few.
   */
  readonly survivors?: number;
}
