import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RecordingFormatError, type Recording } from '../formats/recording.js';
import { readRecordingFile } from '../formats/recording-file.js';
import { pointsPerLifetime } from '../formats/recording-reducer.js';
import { CliError } from './cli-error.js';

export interface ReadRecordingsOptions {
  /** A folder of run folders (`.heapsleuth/`): read every run, not only the newest. */
  allRuns?: boolean;
  warn?: (message: string) => void;
  /** Points kept per process lifetime (adjacent ticks merged beyond it); default: pointsPerLifetime of the number of files. */
  maxPointsPerLifetime?: number;
}

const defaultWarn = (message: string) => process.stderr.write(`heapsleuth: warning: ${message}\n`);

/**
 * Reads recordings named on the command line (files, or folders) turning every problem
 * into a one-line CliError. A folder is read the way the agent and `run` write it: its own
 * `.ndjson` files (the agent's `.heapsleuth/`), or else its run folders (`heapsleuth run`
 * writes `.heapsleuth/run-<time>/`), the newest one unless `allRuns`.
 */
export function readRecordings(paths: string[], options: ReadRecordingsOptions = {}): Recording[] {
  const files = recordingFiles(paths, options);
  const maxPointsPerLifetime = options.maxPointsPerLifetime ?? pointsPerLifetime(files.length);
  return files.flatMap((file) => readRecordingFileOrFail(file, options.warn ?? defaultWarn, maxPointsPerLifetime));
}

/** The recording files that paths name, as readRecordings picks them. */
function recordingFiles(paths: string[], options: Pick<ReadRecordingsOptions, 'allRuns'> = {}): string[] {
  if (paths.length === 0) throw new CliError('no recording given: name one or more .ndjson files or folders (e.g. .heapsleuth/)');
  const files: string[] = [];
  for (const path of paths) {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      throw new CliError(`${path}: no such file or folder`);
    }
    files.push(...(stats.isDirectory() ? recordingsInFolder(path, options.allRuns ?? false) : [path]));
  }
  return files;
}

/** Every process lifetime one file holds; its problems as one-line CliErrors, its warnings to `warn`. */
function readRecordingFileOrFail(file: string, warn: (message: string) => void, maxPointsPerLifetime: number): Recording[] {
  try {
    const lifetimes = readRecordingFile(file, { maxPointsPerLifetime });
    for (const lifetime of lifetimes) for (const warning of lifetime.warnings) warn(warning);
    return lifetimes;
  } catch (error) {
    if (error instanceof RecordingFormatError) throw new CliError(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new CliError(`${file}: cannot read: ${code}`);
    throw error;
  }
}

/** The `.ndjson` files of a folder, or of its newest run folder (of all with `allRuns`). */
function recordingsInFolder(folder: string, allRuns: boolean): string[] {
  const own = ndjsonFiles(folder);
  const runs = runFolders(folder);
  const all = [...own, ...runs.flatMap((run) => run.files)];
  if (all.length === 0) {
    throw new CliError(`${folder}: folder holds no .ndjson recordings and no run folders; name a recording file, or the folder 'heapsleuth run' or the agent wrote (e.g. .heapsleuth/)`);
  }
  if (allRuns) return all;
  if (own.length > 0) {
    if (runs.length > 0) {
      process.stderr.write(`heapsleuth: reading the ${own.length} recording(s) in ${folder}; it also holds ${runs.length} run folder(s): name one (e.g. ${runs[runs.length - 1]!.path}) or pass --all-runs\n`);
    }
    return own;
  }
  const newest = runs[runs.length - 1]!;
  if (runs.length > 1) process.stderr.write(`heapsleuth: reading the newest run, ${newest.path} (of ${runs.length}; --all-runs reads them all)\n`);
  return newest.files;
}

function ndjsonFiles(folder: string): string[] {
  try {
    return readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ndjson'))
      .map((entry) => join(folder, entry.name))
      .sort();
  } catch (error) {
    throw new CliError(`${folder}: cannot read the folder: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

interface RunFolder {
  path: string;
  files: string[];
  /** When its newest recording was last written: what "newest run" means for any --out name. */
  modifiedMs: number;
}

/** Sub-folders holding recordings, oldest first. */
function runFolders(folder: string): RunFolder[] {
  const runs: RunFolder[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(folder, entry.name);
    let files: string[];
    try {
      files = ndjsonFiles(path);
    } catch {
      continue;
    }
    if (files.length === 0) continue;
    const modifiedMs = Math.max(...files.map((file) => statSync(file).mtimeMs));
    runs.push({ path, files, modifiedMs });
  }
  return runs.sort((a, b) => a.modifiedMs - b.modifiedMs || a.path.localeCompare(b.path));
}

/** Nothing to judge: not one sample in any of the recordings (one line, exit code 2). */
export function requireSamples(recordings: Recording[]): void {
  if (recordings.some((recording) => recording.samples.length > 0)) return;
  const [first, ...rest] = recordings.map((recording) => recording.source);
  const names = rest.length === 0 ? first : `${first} and ${rest.length} more`;
  throw new CliError(`${names}: no samples to analyse (the process stopped before its first tick, or no sample line could be read)`);
}
