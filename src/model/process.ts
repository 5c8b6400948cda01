/** Memory of the process, in bytes, as Node's process.memoryUsage() names it. */
export interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** Garbage collections by kind (`minor`, `major`, `incremental`, `weakcb`), cumulative since the agent started. */
export type GcStats = Record<string, { count: number; pauseMs: number }>;

/** What the process looked like when a snapshot was taken. */
export interface ProcessSample {
  /** Epoch milliseconds. */
  time: number;
  memory: MemoryUsage;
  /** V8 heap spaces: committed size and used bytes. */
  heapSpaces?: Record<string, { size: number; used: number }>;
  gc?: GcStats;
  /** Active handles and requests by type (`Timeout`, `TCPSocketWrap`, `FSReqCallback`, ...). */
  handles?: Record<string, number>;
  openFds?: number;
  threads?: number;
}

/** The handle type open file descriptors are judged and reported under (`openFds` as a series; where fds were opened). */
export const OPEN_FDS_TYPE = 'fds';

/** The limits memory can grow to before the process is killed or aborts. */
export interface MemoryLimits {
  /** V8's heap limit (`heap_size_limit`). */
  heapLimitBytes?: number;
  /** The container's memory limit (cgroup v1 or v2), when there is one. */
  cgroupLimitBytes?: number;
}
