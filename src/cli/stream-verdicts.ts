import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { analyzeLifetimes } from '../analysis/analyze.js';
import { DEFAULT_ANALYZE_OPTIONS } from '../analysis/analyze-options.js';
import { LifetimeAccumulator, type LifetimePlan, type LifetimeSeries } from '../analysis/lifetime-series.js';
import type { Verdict } from '../analysis/verdict.js';
import type { RecordingEnd, RecordingHeader } from '../formats/recording.js';
import type { RecordingSink, RowColumns, SampleLine, StackTable } from '../formats/recording-decoder.js';
import { streamRecordingFile } from '../formats/recording-file.js';
import { CliError } from './cli-error.js';
import { readRecordingFileOrFail } from './read-recordings.js';
import { orderVerdicts } from './service-verdicts.js';

type Lifetime = LifetimeSeries & { warnings: string[] };

/** Native allocator logs (`run --native`) lie next to these recordings: their findings need the recordings whole. */
export function hasNativeLogs(files: string[]): boolean {
  return [...new Set(files.map((file) => dirname(file)))].some((folder) => {
    try {
      return readdirSync(folder).some((name) => /^native-\d+\.jsonl$/.test(name));
    } catch {
      return false;
    }
  });
}

/**
 * One verdict per service from recording files read as streams, in two passes per
 * file: the first counts each lifetime's samples (how its series are bucketed), the
 * second folds them into the series. Memory is bounded by the sites and the points kept,
 * not by the length of the recordings.
 */
export function streamServiceVerdicts(files: string[], warn?: (message: string) => void): Verdict[] {
  const silent = () => {};
  const counted = files.map((file) => {
    const counter = new SampleCounter();
    let bytesRead = 0;
    readRecordingFileOrFail(
      file,
      (path) => {
        bytesRead = streamRecordingFile(path, counter, { rows: false }).bytesRead;
        return [];
      },
      silent,
    );
    return { file, bytesRead, plans: counter.plans };
  });
  if (counted.every(({ plans }) => plans.every((plan) => plan.samples === 0))) {
    const [first, ...rest] = files;
    throw new CliError(`${rest.length === 0 ? first : `${first} and ${rest.length} more`}: no samples to analyse (the process stopped before its first tick, or no sample line could be read)`);
  }
  const lifetimes = counted.flatMap(({ file, bytesRead, plans }) =>
    readRecordingFileOrFail(
      file,
      (path) => {
        const folder = new LifetimeFolder(path, plans, DEFAULT_ANALYZE_OPTIONS.maxPoints);
        const { warnings } = streamRecordingFile(path, folder, { maxBytes: bytesRead });
        return folder.finish(warnings);
      },
      warn,
    ),
  );
  const groups = new Map<string, Lifetime[]>();
  for (const lifetime of lifetimes) {
    const key = `${lifetime.header.runtime}:${lifetime.header.service}`;
    groups.set(key, [...(groups.get(key) ?? []), lifetime]);
  }
  return orderVerdicts([...groups.values()].map((group) => analyzeLifetimes(group)));
}

/** First pass: each lifetime's header and how many of its samples there are. */
class SampleCounter implements RecordingSink {
  readonly plans: Array<LifetimePlan & { header: RecordingHeader }> = [];

  header(header: RecordingHeader): void {
    this.plans.push({ header, samples: 0, liveSamples: 0 });
  }

  sample(sample: SampleLine): void {
    const plan = this.plans.at(-1)!;
    plan.samples += 1;
    if (sample.liveOnly !== false) plan.liveSamples += 1;
  }

  end(): void {}
}

/** Second pass: each lifetime's samples folded into its series as they come. */
class LifetimeFolder implements RecordingSink {
  private readonly accumulators: LifetimeAccumulator[] = [];

  constructor(
    private readonly source: string,
    private readonly plans: LifetimePlan[],
    private readonly maxPoints: number,
  ) {}

  header(header: RecordingHeader): void {
    const plan = this.plans[this.accumulators.length] ?? { samples: 0, liveSamples: 0 };
    this.accumulators.push(new LifetimeAccumulator(this.source, header, plan, this.maxPoints));
  }

  sample(sample: SampleLine, rows: RowColumns, stacks: StackTable): void {
    this.accumulators.at(-1)!.add(sample, rows, stacks);
  }

  end(end: RecordingEnd): void {
    this.accumulators.at(-1)!.end(end);
  }

  finish(warnings: string[]): Lifetime[] {
    return this.accumulators.map((accumulator, i) => accumulator.finish(i === 0 ? warnings : []));
  }
}
