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
      throw new CliError(`${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
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
