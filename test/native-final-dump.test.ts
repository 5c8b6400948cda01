import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { signalExitCode, signalOfExitCode, wantsFinalDump } from '../src/native/final-dump-exit.js';
import { runningDumps } from '../src/native/native-findings.js';
import type { NativeLog } from '../src/native/native-log.js';

const preload = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2';

test('a stop signal ends the process with exit(128 + n) only when jemalloc is preloaded to write a final dump', () => {
  assert.equal(wantsFinalDump({ LD_PRELOAD: preload, MALLOC_CONF: 'prof:true,prof_final:true,prof_prefix:/tmp/x/jeprof' }), true);
  // later options win, as in jemalloc
  assert.equal(wantsFinalDump({ LD_PRELOAD: preload, MALLOC_CONF: 'prof:true,prof_final:true,prof_final:false' }), false);
  assert.equal(wantsFinalDump({ LD_PRELOAD: preload, MALLOC_CONF: 'prof:true,prof_prefix:/tmp/x/jeprof' }), false);
  assert.equal(wantsFinalDump({ MALLOC_CONF: 'prof:true,prof_final:true' }), false);
  assert.equal(wantsFinalDump({}), false);
});

test('exit statuses 128 + n read back as the stop signal they stand for', () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    assert.equal(signalExitCode(signal), 128 + constants.signals[signal]);
    assert.equal(signalOfExitCode(signalExitCode(signal)), signal);
  }
  assert.equal(signalOfExitCode(0), null);
  assert.equal(signalOfExitCode(1), null);
  assert.equal(signalOfExitCode(null), null);
});

function log(dumps: { total: number; final: boolean }[]): NativeLog {
  return {
    pid: 1,
    samplePeriod: 524288,
    dumps: dumps.map(({ total, final }, i) => ({ time: 1000 * i, final, maps: [], rows: [{ pcs: [1n], bytes: total, objects: 1 }] })),
  };
}

test('a final dump written after the runtime freed its heap at exit is left out of the trends; one that did not is the last point', () => {
  const torn = log([{ total: 10, final: false }, { total: 20, final: false }, { total: 3, final: true }]);
  assert.equal(runningDumps(torn).length, 2);
  const signalled = log([{ total: 10, final: false }, { total: 20, final: false }, { total: 24, final: true }]);
  assert.equal(runningDumps(signalled).length, 3);
  const running = log([{ total: 10, final: false }, { total: 5, final: false }]);
  assert.equal(runningDumps(running).length, 2);
});
