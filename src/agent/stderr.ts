let readerGone = false;
let guarded = false;

/**
 * Writes the agent's own text to the process's stderr, in order with the host's writes (a pipe
 * that is full queues them in `process.stderr`, as it does the host's). A write to a pipe whose
 * reader has gone (`2>&1 | head`, a log shipper that restarts, Ctrl-C that also ends the `grep`
 * reading it) makes the stream emit EPIPE, and with no listener the host died of the agent's log
 * line (exit code 1): the agent listens for it, and stops writing once the reader is gone.
 */
export function writeStderr(text: string): void {
  if (readerGone) return;
  try {
    const stream = process.stderr;
    if (!guarded) {
      stream.on('error', onStderrError);
      guarded = true;
    }
    if (stream.destroyed) readerGone = true;
    else stream.write(text);
  } catch {
    // the agent's log line must never fail the host
  }
}

function onStderrError(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') {
    readerGone = true;
    return;
  }
  // Not the agent's to hide: with no listener of its own the host fails on it as it would
  // without the agent.
  if (process.stderr.listenerCount('error') === 1) throw error;
}
