import { writeSync } from 'node:fs';

let readerGone = false;

/**
 * Writes the agent's own text to the process's stderr. Not through `process.stderr`: a write
 * there to a pipe whose reader has gone (`2>&1 | head`, a log shipper that restarts, Ctrl-C
 * that also ends the `grep` reading it) emits an 'error' event nobody handles, and the host dies
 * of the agent's log line (EPIPE, exit code 1). Here a write that fails is dropped, and once the
 * reader is gone the agent stops writing; the host's own writes behave as they always did.
 * A pipe too full to take the line at once (EAGAIN) also drops it: the agent never waits.
 */
export function writeStderr(text: string): void {
  if (readerGone) return;
  try {
    writeSync(2, text);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') readerGone = true;
  }
}
