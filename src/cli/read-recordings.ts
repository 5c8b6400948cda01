import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RecordingFormatError, type Recording } from '../formats/recording.js';
import { readRecordingFile } from '../formats/recording-file.js';
import { CliError } from './cli-error.js';

/**
 * Reads recordings named on the command line (files, or folders of `.ndjson` files),
 * turning every problem into a one-line CliError. Warnings go to `warn`.
 */
export function readRecordings(paths: string[], warn: (message: string) => void = warnOnStderr): Recording[] {
  return recordingFiles(paths).flatMap((file) => readRecordingFileOrFail(file, (path) => readRecordingFile(path), warn));
}

/** The recording files that paths name (files, or the .ndjson files of folders). */
export function recordingFiles(paths: string[]): string[] {
  if (paths.length === 0) throw new CliError('no recording given: name one or more .ndjson files or folders (e.g. .heapsleuth/)');
  const files: string[] = [];
  for (const path of paths) {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      throw new CliError(`${path}: no such file or folder`);
    }
    if (stats.isDirectory()) {
      const found = readdirSync(path).filter((name) => name.endsWith('.ndjson')).sort().map((name) => join(path, name));
      if (found.length === 0) throw new CliError(`${path}: folder holds no .ndjson recordings`);
      files.push(...found);
    } else {
      files.push(path);
    }
  }
  return files;
}

/** Reads one file with `read` (every process lifetime it holds), its problems as one-line CliErrors and its warnings to `warn`. */
export function readRecordingFileOrFail<T extends { warnings: string[] }>(file: string, read: (path: string) => T[], warn: (message: string) => void = warnOnStderr): T[] {
  try {
    const lifetimes = read(file);
    for (const lifetime of lifetimes) for (const warning of lifetime.warnings) warn(warning);
    return lifetimes;
  } catch (error) {
    if (error instanceof RecordingFormatError) throw new CliError(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new CliError(`${file}: cannot read: ${code}`);
    throw error;
  }
}

function warnOnStderr(message: string): void {
  process.stderr.write(`heapsleuth: warning: ${message}\n`);
}

/** Nothing to judge: not one sample in any of the recordings (one line, exit code 2). */
export function requireSamples(recordings: Recording[]): void {
  if (recordings.some((recording) => recording.samples.length > 0)) return;
  const [first, ...rest] = recordings.map((recording) => recording.source);
  const names = rest.length === 0 ? first : `${first} and ${rest.length} more`;
  throw new CliError(`${names}: no samples to analyse (the process stopped before its first tick, or no sample line could be read)`);
}
