import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Creates a folder and its missing parents, one `mkdirSync` per missing level.
 * Node 20's own `mkdirSync(path, { recursive: true })` never returns for a path under
 * `/proc` (the kernel answers ENOENT for a level that exists, and Node retries forever);
 * here every level is tried at most twice, so an impossible path throws instead of
 * hanging the process. New levels get `mode`; existing ones are left as they are.
 */
export function createFolder(path: string, mode = 0o700): void {
  createLevel(resolve(path), mode);
}

function createLevel(path: string, mode: number): void {
  const code = tryCreate(path, mode);
  if (code === undefined) return;
  const parent = dirname(path);
  if (code !== 'ENOENT' || parent === path) throw folderError(code, path);
  createLevel(parent, mode);
  // The parent is there now; a second ENOENT means this level cannot be made (e.g. under /proc).
  const again = tryCreate(path, mode);
  if (again !== undefined) throw folderError(again, path);
}

/** undefined when the folder is there (made now or before), else the error code. */
function tryCreate(path: string, mode: number): string | undefined {
  try {
    mkdirSync(path, { mode });
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    if (code === 'EEXIST') return isFolder(path) ? undefined : 'ENOTDIR';
    return code;
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function folderError(code: string, path: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: cannot create the folder ${path}`);
  error.code = code;
  error.path = path;
  return error;
}
