import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PrometheusApi } from '../src/fleet/prometheus-api.js';
import { readFleet, type InstanceSeries } from '../src/fleet/read-fleet.js';
import { cliPath, fixture, runNode } from './child-process.js';
import { tempDir } from './temp-dir.js';

/**
 * A real Prometheus (Debian's `prometheus` package; .ci/run installs it) scrapes real
 * service processes with the agent every second: job `checkout` runs version 1.0.0
 * without the leak, then restarts its instances on the same ports as 1.1.0, which
 * leaks; job `search` never leaks. `heapsleuth analyze --prometheus` must name the
 * leaking site and the version it appeared in, and call `search` no-leak.
 */
const prometheusBinary = findPrometheus();
const required = process.env.HEAPSLEUTH_REQUIRE_PROMETHEUS === '1';
const skip = !prometheusBinary && !required ? 'no prometheus binary (apt-get install prometheus; .ci/run does)' : false;

const PHASE_MS = 22_000;
const children = new Set<ChildProcess>();
let prometheusUrl = '';
let dataDir = '';

before(async () => {
  if (skip) return;
  assert.ok(prometheusBinary, 'HEAPSLEUTH_REQUIRE_PROMETHEUS=1 but no prometheus binary is installed');
  dataDir = tempDir('heapsleuth-fleet-');
  const checkout = [await startMember({ version: '1.0.0', leak: false }), await startMember({ version: '1.0.0', leak: false })];
  const search = [await startMember({ version: '2.0.0', leak: false }), await startMember({ version: '2.0.0', leak: false })];
  const port = await freePort();
  writeFileSync(
    join(dataDir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, scrape_timeout: 900ms }',
      'scrape_configs:',
      `  - job_name: checkout\n    static_configs: [{ targets: [${checkout.map((m) => `'127.0.0.1:${m.port}'`).join(', ')}] }]`,
      `  - job_name: search\n    static_configs: [{ targets: [${search.map((m) => `'127.0.0.1:${m.port}'`).join(', ')}] }]`,
      `  - job_name: plain\n    static_configs: [{ targets: ['127.0.0.1:${port}'] }]`,
      '',
    ].join('\n'),
  );
  const prometheus = spawn(
    prometheusBinary!,
    [`--config.file=${join(dataDir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dataDir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: 'ignore' },
  );
  children.add(prometheus);
  prometheusUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${prometheusUrl}/-/ready`)).ok, 'Prometheus did not become ready');

  await sleep(PHASE_MS);
  // The deploy of 1.1.0: each checkout instance restarts, on the same port, with the leak.
  for (const member of checkout) {
    await stop(member.child);
    await startMember({ version: '1.1.0', leak: true, port: member.port });
  }
  await sleep(PHASE_MS);
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
});

test('a real Prometheus: the leaking site and the version it appeared in are named', { skip }, async () => {
  const jsonPath = join(dataDir, 'fleet.json');
  const result = await runNode([cliPath, 'analyze', '--prometheus', prometheusUrl, '--job', 'checkout', '--since', '2m', '--step', '1s', '--json', jsonPath], {
    timeoutMs: 60_000,
  });
  assert.equal(result.code, 0, result.stderr);
  const verdict = JSON.parse(readFileSync(jsonPath, 'utf8'));
  assert.equal(verdict.verdict, 'leak', verdict.reason);
  assert.equal(verdict.fleet.instances, 2);
  assert.equal(verdict.fleet.lifetimes, 4);
  assert.equal(verdict.fleet.by, 'version');
  assert.deepEqual(
    verdict.fleet.versions.map((version: { name: string; verdict: string }) => [version.name, version.verdict]),
    [
      ['1.0.0', 'no-leak'],
      ['1.1.0', 'leak'],
    ],
    JSON.stringify(verdict.fleet.versions),
  );
  const [top] = verdict.suspects;
  // rememberOrder, or the callback V8 inlined it into (sampled stacks have no inlined frames).
  assert.equal(top.file, 'test/fixtures/services/fleet-member.mjs');
  assert.deepEqual(top.versions, ['1.1.0']);
  assert.deepEqual(top.notIn, ['1.0.0']);
  assert.equal(top.firstSeen.version, '1.1.0');
});

test('a real Prometheus: a fleet that does not leak is no-leak, and the terminal verdict says so', { skip }, async () => {
  const result = await runNode([cliPath, 'analyze', '--prometheus', prometheusUrl, '--job', 'search', '--since', '2m', '--step', '1s'], {
    timeoutMs: 60_000,
    env: { NO_COLOR: '1' },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^heapsleuth no leak · search · 2 instances, 2 process lifetimes/m);
});

test('a real Prometheus: a job it does not know and a job without the agent get one line each, exit 2', { skip }, async () => {
  const unknown = await runNode([cliPath, 'analyze', '--prometheus', prometheusUrl, '--job', 'nope', '--since', '2m']);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr.trim().split('\n').length, 1, unknown.stderr);
  assert.match(unknown.stderr, /no series for job "nope"/);
  const withoutAgent = await runNode([cliPath, 'analyze', '--prometheus', prometheusUrl, '--job', 'plain', '--since', '2m']);
  assert.equal(withoutAgent.code, 2);
  assert.equal(withoutAgent.stderr.trim().split('\n').length, 1, withoutAgent.stderr);
  assert.match(withoutAgent.stderr, /job "plain" has series but none of heapsleuth's .* registerPrometheusMetrics/);
});

test('a real Prometheus: queries in flight together yield what one query after the other yields', { skip }, async () => {
  // A window a few scrapes in the past: nothing more arrives in it between the two readings.
  const end = Date.now() - 5000;
  const read = async (queriesInFlight: number) => {
    const found: InstanceSeries[] = [];
    const api = new PrometheusApi(prometheusUrl);
    for (const job of ['checkout', 'search']) {
      for await (const instance of readFleet(api, { job, start: end - 120_000, end, stepMs: 1000 }, { instancesPerQuery: 1, queriesInFlight })) found.push(instance);
    }
    return found;
  };
  const sequential = await read(1);
  assert.equal(sequential.length, 4);
  assert.ok(sequential.every((instance) => instance.memory.length === 5 && instance.sites.length > 0), JSON.stringify(sequential.map((i) => [i.instance, i.memory.length, i.sites.length])));
  assert.deepEqual(await read(4), sequential);
});

test('Prometheus unreachable: one line, exit 2', async () => {
  const port = await freePort();
  const result = await runNode([cliPath, 'analyze', '--prometheus', `http://127.0.0.1:${port}`, '--job', 'checkout']);
  assert.equal(result.code, 2);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, /cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
});

async function startMember(options: { version: string; leak: boolean; port?: number }): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [fixture('services/fleet-member.mjs')], {
    env: { ...process.env, SERVICE_VERSION: options.version, LEAK: options.leak ? '1' : '0', PORT: String(options.port ?? 0) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`fleet member exited with ${code} before listening`)));
  });
  return { port, child };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => {
      children.delete(child);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitFor(check: () => Promise<boolean>, message: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  throw new Error(message);
}

function findPrometheus(): string | undefined {
  for (const candidate of [process.env.HEAPSLEUTH_PROMETHEUS, '/usr/bin/prometheus'].filter(Boolean) as string[]) {
    if (spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}
