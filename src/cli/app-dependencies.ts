import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Recording } from '../formats/recording.js';

const LISTS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

/**
 * The packages the recorded app depends on directly: every name listed in the package.json
 * nearest to the recorded working directory (that folder or the first parent with one).
 * Undefined when the recordings name no working directory, or no package.json is found
 * there on this machine (a recording read elsewhere): the analysis then takes the package
 * the app's code called for the direct one.
 */
export function appDependencies(recordings: readonly Recording[]): string[] | undefined {
  const cwd = recordings.find((recording) => recording.header.cwd)?.header.cwd;
  if (!cwd) return undefined;
  for (let dir = cwd; ; dir = dirname(dir)) {
    const listed = listedIn(join(dir, 'package.json'));
    if (listed) return listed;
    if (dirname(dir) === dir) return undefined;
  }
}

function listedIn(file: string): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const manifest = JSON.parse(text) as Record<string, unknown>;
    const names = new Set<string>();
    for (const list of LISTS) {
      const entries = manifest[list];
      if (entries && typeof entries === 'object') for (const name of Object.keys(entries)) names.add(name);
    }
    return [...names];
  } catch {
    return []; // a package.json that does not parse lists nothing we can trust, and stops the walk
  }
}
