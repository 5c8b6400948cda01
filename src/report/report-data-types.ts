/**
 * The shape of the HTML report's data: built on the server side (report-data.ts), rendered by
 * the page (page/). Types only, importing nothing that needs Node, so the page's own tsconfig
 * (DOM, no Node types) can check against them.
 */

import type { Suspect, Verdict } from '../analysis/verdict.js';

/** A node of the live-allocation tree: a call frame and the live bytes allocated under it. */
export interface FlameNode {
  name: string;
  file: string;
  line: number;
  /** Live bytes allocated in this frame and everything it called. */
  value: number;
  children: FlameNode[];
}

/** One row of the compare-to-start table, tracemalloc's StatisticDiff. */
export interface CompareRow {
  file: string;
  line: number;
  function: string;
  size: number;
  sizeDiff: number;
  count: number;
  countDiff: number;
}

/** A suspect as the page shows it; its series is in chart columns (epoch seconds, bytes). */
export interface ReportSuspect extends Omit<Suspect, 'series' | 'pValue'> {
  hoursToLimit: number | null;
  /** For `call`: the ranks of the reported sites reached through the call, best first. */
  callSites?: number[];
  series: { t: number[]; bytes: number[] };
}

/** Everything the HTML report shows, as plain JSON: the page renders it, it computes nothing. */
export interface ReportData {
  generatedAt: string;
  /** Chart times are epoch seconds (uPlot's unit), values bytes or counts. */
  verdict: Omit<Verdict, 'suspects'>;
  suspects: ReportSuspect[];
  memory: {
    t: number[];
    rss: number[];
    heapTotal: number[];
    heapUsed: number[];
    external: number[];
    arrayBuffers: number[];
    /** RSS that the JS heap and external memory do not account for. */
    nativeGap: number[];
    /** Garbage collections since the previous sample. */
    majorGcs: number[];
    minorGcs: number[];
  };
  restarts: Array<{ t: number; pid: number; previousPid: number }>;
  handles: { t: number[]; series: Array<{ type: string; values: Array<number | null> }> };
  compare: {
    pid: number;
    from: string;
    to: string;
    sampled: boolean;
    rows: Record<'filename' | 'lineno' | 'function', CompareRow[]>;
  } | null;
  flame: { takenAt: string; pid: number; root: FlameNode } | null;
  processes: Array<{ source: string; pid: number; hostname: string; service: string; argv: string[]; startTime: string; samples: number; ended: string | null }>;
}
