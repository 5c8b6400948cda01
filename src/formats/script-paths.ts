import { fileURLToPath } from 'node:url';
import { isAbsolute, relative, sep } from 'node:path';

/**
 * How a file named by a foreign profile (pprof, .heapprofile) is shown, the way the
 * agent shows the files it records: `file://` URLs become paths; with `cwd`, paths
 * inside it become relative and packages become `node_modules/<pkg>/...`. Relative
 * paths and `node:` URLs are kept, so heapsleuth's own exports read back unchanged.
 */
export function readableScriptPath(url: string, cwd?: string): string {
  let path = url;
  if (url.startsWith('file://')) {
    try {
      path = fileURLToPath(url);
    } catch {
      return url;
    }
  }
  if (cwd === undefined || !isAbsolute(path)) return toPosix(path);
  const marker = `${sep}node_modules${sep}`;
  const at = path.lastIndexOf(marker);
  if (at >= 0) return toPosix(`node_modules/${path.slice(at + marker.length)}`);
  const rel = relative(cwd, path);
  return toPosix(rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path);
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
