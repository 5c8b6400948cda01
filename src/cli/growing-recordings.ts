import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecording, type Recording } from '../formats/recording.js';

/** A recording read so far, with the file it is read from. */
export interface GrowingRecording {
  path: string;
  recording: Recording;
}

/**
 * The recordings of a folder as they grow, while `run`'s command writes them. A file grows
 * once a tick: it is parsed again only when its size changed. Files that cannot be read
 * yet are skipped. One instance serves the live view and the retainer trigger, so each
 * file is parsed once per change.
 */
export class GrowingRecordings {
  private readonly parsed = new Map<string, { size: number; recording: Recording }>();

  constructor(private readonly outDir: string) {}

  read(): GrowingRecording[] {
    let names: string[];
    try {
      names = readdirSync(this.outDir).filter((name) => name.endsWith('.ndjson'));
    } catch {
      return [];
    }
    for (const name of names) {
      const path = join(this.outDir, name);
      try {
        const size = statSync(path).size;
        if (this.parsed.get(path)?.size === size) continue;
        this.parsed.set(path, { size, recording: parseRecording(readFileSync(path, 'utf8'), name) });
      } catch {
        // still being created
      }
    }
    return [...this.parsed.entries()].map(([path, entry]) => ({ path, recording: entry.recording }));
  }
}
