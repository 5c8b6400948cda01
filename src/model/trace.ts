import type { Traceback } from './traceback.js';

/** Live memory held by one allocation stack: estimated bytes and objects. */
export interface Trace {
  readonly traceback: Traceback;
  readonly size: number;
  readonly count: number;
}
