// The shop API of bench/overhead started in a child and loaded by wrk: shared by the
// benchmarks that compare configurations of it (bench/overhead, bench/native).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const SERVICE = here('./service.mjs');
const LOAD_SCRIPT = here('./load.lua');

/** Starts the service; `port` resolves once it printed where it listens. */
export function startShopService({ key, nodeArgs = [], env }) {
  const child = spawn(process.execPath, [...nodeArgs, SERVICE], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const port = new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`${key}: the service printed no port within 15 s; stderr: ${stderr.trim()}`)), 15_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!stdout.includes('\n')) return;
      clearTimeout(timer);
      resolve(JSON.parse(stdout.split('\n')[0]).port);
    });
    child.once('exit', (code) => reject(new Error(`${key}: the service exited (${code}) before listening; stderr: ${stderr.trim()}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, port, exited, stderr: () => stderr };
}

/** One wrk run against the service: load.lua's WRKJSON summary (requests/s, latency percentiles). */
export function runWrk(port, seconds, connections) {
  return new Promise((resolve, reject) => {
    const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', LOAD_SCRIPT, `http://127.0.0.1:${port}/`];
    const wrk = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    wrk.stdout.on('data', (chunk) => (out += chunk));
    wrk.stderr.on('data', (chunk) => (out += chunk));
    wrk.once('error', reject);
    wrk.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
      if (code !== 0 || !line) return reject(new Error(`wrk failed (${code}): ${out.trim().split('\n').slice(-3).join(' | ')}`));
      resolve(JSON.parse(line.slice('WRKJSON '.length)));
    });
  });
}
