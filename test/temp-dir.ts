import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** HEAPSLEUTH_KEEP_TEST_DIRS=1 keeps every folder for a look after the run. */
const keep = process.env['HEAPSLEUTH_KEEP_TEST_DIRS'] === '1';
const made: string[] = [];

/**
 * A new folder `<os.tmpdir()>/<prefix>XXXXXX`, removed with everything in it when this test
 * process exits: recordings and heap snapshots of every run otherwise pile up in /tmp.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (!keep) {
    if (made.length === 0) process.once('exit', removeAll);
    made.push(dir);
  }
  return dir;
}

// 'exit' handlers must be synchronous, and a folder that cannot go (a child still writing, a
// mount inside) must neither fail the test file nor stop the others from being removed.
function removeAll(): void {
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // left behind; nothing else to do at exit
    }
  }
}
