// Preload for the comparison configuration: @datadog/pprof's heap profiler as dd-trace's
// NativeSpaceProfiler runs it by default (heap.start(512 KiB, 64), then heap.profile()
// and encode() per upload), with a profile every 5 s so it works as often as heapsleuth's
// ticks do in this benchmark. Run: node --require ./bench/overhead/dd-heap-profiler.cjs app.js
// DD_BENCH_SAMPLING_INTERVAL (bytes) and DD_BENCH_PROFILE_EVERY_MS (0: never read) change
// those two settings for run.mjs's diagnostic configurations.
'use strict';
const { heap, encode } = require('@datadog/pprof');

const samplingInterval = Number(process.env.DD_BENCH_SAMPLING_INTERVAL) || 512 * 1024;
const profileEveryMs = process.env.DD_BENCH_PROFILE_EVERY_MS === undefined ? 5000 : Number(process.env.DD_BENCH_PROFILE_EVERY_MS);

heap.start(samplingInterval, 64);
const profiledAt = [];
if (profileEveryMs > 0) {
  const timer = setInterval(() => {
    encode(heap.profile(undefined, undefined))
      .then(() => profiledAt.push(Date.now()))
      .catch((error) => process.stderr.write(`dd-heap-profiler: ${error.message}\n`));
  }, profileEveryMs);
  timer.unref();
}
// run.mjs counts the profiles taken inside its measured window from this line.
process.on('exit', () => process.stderr.write(`dd-heap-profiler: profiles at ${JSON.stringify(profiledAt)}\n`));
