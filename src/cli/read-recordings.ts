import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecording, RecordingFormatError, type Recording } from '../formats/recording.js';
import { CliError } from './cli-error.js';

/**
 * Reads recordings named on the command line (files, or folders of `.ndjson` files),
 * turning every problem into a one-line CliError. Warnings go to `warn`.
 */
export function readRecordings(paths: string[], warn: (message: string) => void = (m) => process.stderr.write(`heapsleuth: warning: ${m}\n`)): Recording[] {
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
  return files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ERR_STRING_TOO_LONG') throw new CliError(`${file}: too big to read at once (over 512 MB); analyse a shorter recording`);
      throw new CliError(`${file}: cannot read: ${code ?? String(error)}`);
    }
    try {
      const recording = parseRecording(text, file);
      for (const warning of recording.warnings) warn(warning);
      return recording;
    } catch (error) {
      if (error instanceof RecordingFormatError) throw new CliError(error.message);
      throw error;
    }
  });
}

/** Nothing to judge: not one sample in any of the recordings (one line, exit code 2). */
export function requireSamples(recordings: Recording[]): void {
  if (recordings.some((recording) => recording.samples.length > 0)) return;
  const [first, ...rest] = recordings.map((recording) => recording.source);
  const names = rest.length === 0 ? first : `${first} and ${rest.length} more`;
  throw new CliError(`${names}: no samples to analyse (the process stopped before its first tick, or no sample line could be read)`);
}
