import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runNode } from './child-process.js';

const tempDirModule = fileURLToPath(new URL('./temp-dir.js', import.meta.url));

/** A process that makes two test folders, fills one, and exits; returns their paths. */
async function makeFoldersAndExit(env: NodeJS.ProcessEnv): Promise<string[]> {
  const script = `
    const { tempDir } = await import(process.argv[1]);
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const a = tempDir('heapsleuth-temp-dir-test-');
    mkdirSync(a + '/deep/er', { recursive: true });
    writeFileSync(a + '/deep/er/file', 'x');
    const b = tempDir('heapsleuth-temp-dir-test-');
    process.stdout.write(JSON.stringify([a, b]));
  `;
  const result = await runNode(['--input-type=module', '-e', script, tempDirModule], { env });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as string[];
}

test('test folders are removed, contents and all, when the test process exits', async () => {
  const folders = await makeFoldersAndExit({ HEAPSLEUTH_KEEP_TEST_DIRS: '' });
  assert.equal(folders.length, 2);
  for (const folder of folders) assert.equal(existsSync(folder), false, `${folder} is left behind`);
});

test('HEAPSLEUTH_KEEP_TEST_DIRS=1 keeps them to look at', async () => {
  const folders = await makeFoldersAndExit({ HEAPSLEUTH_KEEP_TEST_DIRS: '1' });
  try {
    assert.ok(existsSync(`${folders[0]}/deep/er/file`));
    assert.ok(existsSync(folders[1]!));
  } finally {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }
});
