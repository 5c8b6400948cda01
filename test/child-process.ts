import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Verdict } from '../src/analysis/verdict.js';
import { tempDir } from './temp-dir.js';

/** The repository root, from the compiled test file in dist/test/. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const fixture = (name: string) => fileURLToPath(new URL(`../../test/fixtures/${name}`, import.meta.url));
export const compiledFixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
export const cliPath = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
export const registerPath = fileURLToPath(new URL('../src/agent/register.js', import.meta.url));

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ChildOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill it after this many milliseconds (a safety net, not a timing assertion). */
  timeoutMs?: number;
  /** Called with the child once it started (to send it signals). */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
}

/** Runs a command to completion and collects its output. */
export function runChild(command: string, args: string[], options: ChildOptions = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? repoRoot, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    options.onSpawn?.(child);
  });
}

/** Runs a Node script and collects its output. */
export function runNode(args: string[], options: ChildOptions = {}): Promise<ChildResult> {
  return runChild(process.execPath, args, options);
}

/**
 * `heapsleuth run` (quiet, 250 ms ticks, 16 KiB sampling) on `node script` for `duration`, in
 * `cwd`; returns its output and the JSON verdict (the test fails, saying why, when none was written).
 */
export async function runForVerdict(script: string, duration: string, options: { extra?: string[]; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<{ result: ChildResult; verdict: Verdict }> {
  const dir = tempDir('heapsleuth-run-');
  const json = join(dir, 'verdict.json');
  const result = await runNode(
    [cliPath, 'run', '--quiet', '--duration', duration, '--interval', '250ms', '--sampling-interval', '16KiB', '--out', join(dir, 'rec'), '--json', json, ...(options.extra ?? []), '--', process.execPath, script],
    { ...(options.cwd === undefined ? {} : { cwd: options.cwd }), env: { NO_COLOR: '1', ...options.env } },
  );
  let verdict: Verdict;
  try {
    verdict = JSON.parse(readFileSync(json, 'utf8')) as Verdict;
  } catch {
    assert.fail(`no verdict written; exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return { result, verdict };
}
