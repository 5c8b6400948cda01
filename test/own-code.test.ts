import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isOwnCode } from '../src/snapshots/find-retainers.js';

test('heapsleuth\'s own code is recognised in snapshots taken by an agent installed elsewhere (a container, another build folder)', () => {
  // re-analysing bench/real-leaks runs with another build showed the agent's source-map cache
  // (/tmp/f10/dist/src/agent/source-maps.js) as what kept eventemitter2's leak
  assert.equal(isOwnCode('/srv/app/node_modules/heapsleuth/dist/src/agent/source-maps.js', '/srv/app'), true);
  assert.equal(isOwnCode('node_modules/heapsleuth/dist/src/agent/heap-tracing.js', '/srv/app'), true);
  assert.equal(isOwnCode('/tmp/other-build/dist/src/formats/recording.js', '/srv/app'), true);
  // the program's files, even in a dist/src/ of its own
  assert.equal(isOwnCode('/srv/app/dist/src/server.js', '/srv/app'), false);
  assert.equal(isOwnCode('/srv/app/dist/src/agent/checkout-agent.js', '/srv/app'), false);
  assert.equal(isOwnCode('node_modules/ws/lib/permessage-deflate.js', '/srv/app'), false);
});
