import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactArgv, REDACTED } from '../src/formats/redact-argv.js';
import { parseRecording } from '../src/formats/recording.js';
import { fixture, registerPath, runNode } from './child-process.js';
import { tempDir } from './temp-dir.js';

test('secrets in a command line are redacted; what tells processes apart stays', () => {
  const argv = [
    '/usr/bin/node',
    '/srv/app/server.js',
    '--port=3000',
    '--db-password=hunter2',
    '--api-key',
    'AKIAIOSFODNN7EXAMPLE',
    '--token',
    'abc',
    '--verbose',
    '--database-url=postgres://app:s3cret@db.internal:5432/orders',
    'redis://:p4ss@cache:6379',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
    'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
    'config/production.json',
    '--secret',
    '--workers',
    '4',
  ];
  assert.deepEqual(redactArgv(argv), [
    '/usr/bin/node',
    '/srv/app/server.js',
    '--port=3000',
    `--db-password=${REDACTED}`,
    '--api-key',
    REDACTED,
    '--token',
    REDACTED,
    '--verbose',
    `--database-url=postgres://app:${REDACTED}@db.internal:5432/orders`,
    `redis://:${REDACTED}@cache:6379`,
    REDACTED,
    REDACTED,
    'config/production.json',
    '--secret',
    '--workers',
    '4',
  ]);
});

test('the agent records a redacted command line: the secret is nowhere in the recording', async () => {
  const out = tempDir('heapsleuth-argv-');
  const result = await runNode(['--import', registerPath, fixture('traced-app.mjs'), '--db-password=hunter2', '--token', 'tok-hunter3', 'postgres://u:hunter4@h/db'], {
    env: { HEAPSLEUTH_OUT: out, HEAPSLEUTH_INTERVAL: '100ms', HEAPSLEUTH_LOG: 'off', RUN_MS: '200' },
  });
  assert.equal(result.code, 0, result.stderr);
  const [name] = readdirSync(out);
  const text = readFileSync(join(out, name!), 'utf8');
  assert.doesNotMatch(text, /hunter/);
  const { header } = parseRecording(text, name);
  assert.deepEqual(header.argv.slice(2), [`--db-password=${REDACTED}`, '--token', REDACTED, `postgres://u:${REDACTED}@h/db`]);
});
