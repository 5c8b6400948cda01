// The corpus on disk: cases/<name>/{package.json, package-lock.json, workload.js, truth.json}
// with the leaky version, and cases/<name>/fixed/{package.json, package-lock.json} with the
// first fixed one. Dependencies are installed into each folder on first use.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const casesDir = fileURLToPath(new URL('../cases/', import.meta.url));

export function listCases() {
  return readdirSync(casesDir)
    .filter((name) => existsSync(join(casesDir, name, 'truth.json')))
    .sort();
}

export function readCase(name) {
  const truth = JSON.parse(readFileSync(join(casesDir, name, 'truth.json'), 'utf8'));
  return { name, ...truth };
}

/** `npm install` from the committed lock file, once (again only when the lock file changed). */
export function ensureInstalled(dir) {
  const marker = join(dir, 'node_modules', '.package-lock.json');
  const lock = join(dir, 'package-lock.json');
  if (existsSync(marker) && (!existsSync(lock) || statSync(marker).mtimeMs >= statSync(lock).mtimeMs)) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm install failed in ${dir}`);
}

const ownFiles = new Set(['package.json', 'package-lock.json', 'truth.json', 'verification.md']);

/** The fixed version runs the very same workload (and its fixtures): copies next to its own node_modules. */
export function prepareFixed(caseDir) {
  for (const entry of readdirSync(caseDir, { withFileTypes: true })) {
    if (entry.isFile() && !ownFiles.has(entry.name)) copyFileSync(join(caseDir, entry.name), join(caseDir, 'fixed', entry.name));
  }
}
