// The detection scenarios: which fixture service runs, with what settings, and what a
// correct verdict is. `expect.kind`:
//   site      a leak blamed on `file` (the function is reported, not required: V8 charges an
//             inlined function to its caller);
//   external  a leak of off-heap memory (`process.external` or `process.arrayBuffers`);
//   handles   a handle type that keeps growing (`type`);
//   healthy   no leak: any `leak` verdict is a false alarm.
// `growth` names the process series that the leak makes grow. Files that hold leaked objects
// (and may be named without blame) are `expect.files`, the one to blame first.

export const scenarios = [
  {
    name: 'leak-fast',
    script: 'leak-in-churn.mjs',
    env: { LEAK_EVERY: '2' },
    describe: 'audit trail, one record per 2 requests',
    expect: { kind: 'site', files: ['leak-in-churn.mjs'], function: 'recordAudit' },
    growth: 'heapUsed',
  },
  {
    name: 'leak-medium',
    script: 'leak-in-churn.mjs',
    env: { LEAK_EVERY: '40' },
    describe: 'audit trail, one record per 40 requests',
    expect: { kind: 'site', files: ['leak-in-churn.mjs'], function: 'recordAudit' },
    growth: 'heapUsed',
  },
  {
    name: 'leak-slow',
    script: 'leak-in-churn.mjs',
    env: { LEAK_EVERY: '500' },
    describe: 'audit trail, one record per 500 requests',
    expect: { kind: 'site', files: ['leak-in-churn.mjs'], function: 'recordAudit' },
    growth: 'heapUsed',
  },
  {
    name: 'leak-inlined',
    script: 'leak-inlined.mjs',
    describe: 'helper of another module, inlined into its hot caller',
    expect: { kind: 'site', files: ['audit-helper.mjs'], function: 'auditRequest' },
    growth: 'heapUsed',
  },
  {
    name: 'closure',
    script: 'closure-leak.mjs',
    describe: 'closure context chain (the Meteor pattern)',
    expect: { kind: 'site', files: ['closure-leak.mjs'], function: 'refreshSession' },
    growth: 'heapUsed',
  },
  {
    name: 'listeners',
    script: 'listener-leak.mjs',
    describe: "'reconnect' listener per request, never removed",
    expect: { kind: 'site', files: ['listener-leak.mjs'], function: 'queryWithRetry' },
    growth: 'heapUsed',
  },
  {
    name: 'map-by-request-id',
    script: 'map-leak.mjs',
    describe: 'Map of in-flight requests, error path never deletes',
    expect: { kind: 'site', files: ['map-leak.mjs'], function: 'trackRequest' },
    growth: 'heapUsed',
  },
  {
    name: 'buffers',
    script: 'buffer-leak.mjs',
    describe: '16 KiB Buffer per 128 requests, kept',
    expect: { kind: 'external', files: ['buffer-leak.mjs'] },
    growth: 'external',
  },
  {
    name: 'timers',
    script: 'timer-leak.mjs',
    describe: 'setInterval per 400 requests, never cleared',
    expect: { kind: 'handles', type: 'Timeout', files: ['timer-leak.mjs'] },
    growth: 'heapUsed',
  },
  { name: 'steady', script: 'steady.mjs', describe: 'the traffic alone', expect: { kind: 'healthy' }, growth: 'heapUsed' },
  { name: 'lru-cache', script: 'lru-cache.mjs', describe: 'LRU bounded at 40 000, full after a third', expect: { kind: 'healthy' }, growth: 'heapUsed' },
  { name: 'warm-up', script: 'warmup.mjs', describe: 'route table, levels off after a third', expect: { kind: 'healthy' }, growth: 'heapUsed' },
  { name: 'saw-tooth', script: 'sawtooth.mjs', describe: 'event batch flushed every 3.3 s', expect: { kind: 'healthy' }, growth: 'heapUsed' },
  { name: 'one-off', script: 'one-off.mjs', describe: '40 MB catalogue loaded once, a third in', expect: { kind: 'healthy' }, growth: 'heapUsed' },
];

/** What the scenario expects, in a few words for the table. */
export function expectation(scenario) {
  const { expect } = scenario;
  if (expect.kind === 'site') return `leak: ${expect.files[0]} ${expect.function}`;
  if (expect.kind === 'external') return 'leak: external memory';
  if (expect.kind === 'handles') return `leak: ${expect.type} handles`;
  return 'healthy';
}
