import { readFileSync } from 'node:fs';

/** heapsleuth's own version, from its package.json. */
export const VERSION: string = readVersion();

function readVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
