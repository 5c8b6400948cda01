import { writeFileSync } from 'node:fs';
import { neutralise } from '../report/terminal-text.js';
import { CliError } from './cli-error.js';

const WRITE_ERRORS: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/** Writes a file the user asked for (`append` only checks that it can be written); a failure is one CliError line. */
export function writeOutput(path: string, data: string | Uint8Array, what: string, append = false): void {
  try {
    writeFileSync(path, data, append ? { flag: 'a' } : {});
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new CliError(`${what}: cannot write ${neutralise(path)}: ${WRITE_ERRORS[code] ?? (code || String(error))}`);
  }
}
