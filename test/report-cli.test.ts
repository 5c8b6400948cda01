import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { command } from '../src/cli/report.js';
import { CliError } from '../src/cli/cli-error.js';
import { tempDir } from './temp-dir.js';

const recording = fileURLToPath(new URL('../../test/fixtures/report-checkout.ndjson', import.meta.url));

/** Runs the command with stdout captured. */
async function run(args: string[]): Promise<{ code: number; stdout: string }> {
  const write = process.stdout.write;
  let stdout = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await command.run(args), stdout };
  } finally {
    process.stdout.write = write;
  }
}

function withDir(use: (dir: string) => Promise<void>): () => Promise<void> {
  return () => use(tempDir('heapsleuth-report-cli-'));
}

test(
  'writes one self-contained HTML file and says what it holds',
  withDir(async (dir) => {
    const output = join(dir, 'report.html');
    const { code, stdout } = await run([recording, '-o', output]);
    assert.equal(code, 0);
    // The fixture's known verdict: its sessions site leaks, and the heap with it.
    assert.match(stdout, /^heapsleuth: wrote .*report\.html \(checkout: leak, 1 suspect, 30 samples\)\n$/);
    const html = readFileSync(output, 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<title>heapsleuth: \w[\w-]* · checkout<\/title>/);
    assert.match(html, /"service":"checkout"/);
  }),
);

test('the output file is required', async () => {
  await assert.rejects(run([recording]), (error: unknown) => error instanceof CliError && /name the output file with -o/.test(error.message));
});

test(
  'an unwritable output path is one clear line',
  withDir(async (dir) => {
    await assert.rejects(
      run([recording, '-o', join(dir, 'missing', 'report.html')]),
      (error: unknown) => error instanceof CliError && /^report: cannot write .*missing\/report\.html: its folder does not exist$/.test(error.message),
    );
    await assert.rejects(
      run([recording, '-o', dir]),
      (error: unknown) => error instanceof CliError && /: it is a folder$/.test(error.message),
    );
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o500);
      await assert.rejects(
        run([recording, '-o', join(locked, 'report.html')]),
        (error: unknown) => error instanceof CliError && /: permission denied$/.test(error.message),
      );
    }
  }),
);

test(
  '--service picks a service, and an unknown one is named',
  withDir(async (dir) => {
    const output = join(dir, 'report.html');
    assert.equal((await run([recording, '--service', 'checkout', '-o', output])).code, 0);
    await assert.rejects(
      run([recording, '--service', 'billing', '-o', output]),
      (error: unknown) => error instanceof CliError && error.message === 'report: no recording of service "billing"; the recordings hold "checkout"',
    );
  }),
);

test('a missing recording is a usage error', async () => {
  await assert.rejects(run(['/nonexistent/x.ndjson', '-o', '/tmp/x.html']), (error: unknown) => error instanceof CliError && /no such file/.test(error.message));
});
