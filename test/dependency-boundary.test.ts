import { test } from 'node:test';
import assert from 'node:assert/strict';
import { directDependencyBlame, packageName } from '../src/analysis/dependency-boundary.js';
import { Frame } from '../src/model/frame.js';

test('a package is named after its innermost node_modules folder, with its scope', () => {
  assert.equal(packageName('node_modules/socks-proxy-agent/dist/index.js'), 'socks-proxy-agent');
  assert.equal(packageName('node_modules/a/node_modules/@scope/b/lib/x.js'), '@scope/b');
  assert.equal(packageName('/opt/venv/lib/python3.12/site-packages/requests/sessions.py'), 'requests');
  assert.equal(packageName('src/cache.ts'), undefined);
  assert.equal(packageName('node:internal/timers'), undefined);
});

const allocating = new Frame('node_modules/cacheable-lookup/source/index.js', 86, 'CacheableLookup');
const agent = new Frame('node_modules/socks-proxy-agent/dist/index.js', 111, 'SocksProxyAgent');
const agentBase = new Frame('node_modules/agent-base/dist/index.js', 20, 'Agent');
const builtin = new Frame('', 0, 'Map');
const app = new Frame('workload.js', 89, 'scrape');

test('a site allocated in a package the app does not list is blamed on the innermost frame of one it lists', () => {
  const frames = [builtin, allocating, agentBase, agent, app];
  const moved = directDependencyBlame(frames, allocating, new Set(['socks-proxy-agent']));
  assert.deepEqual(moved && [moved.frame, moved.allocatingPackage, moved.basis], [agent, 'cacheable-lookup', 'package.json']);
  // without the list: the package the app's code called
  const called = directDependencyBlame(frames, allocating);
  assert.deepEqual(called && [called.frame, called.basis], [agent, 'call']);
});

test('a site stays where it was allocated when the app lists that package, calls it itself, or no package the app uses is on the way out', () => {
  assert.equal(directDependencyBlame([allocating, agent, app], allocating, new Set(['socks-proxy-agent', 'cacheable-lookup'])), undefined);
  // the app's own code called the allocating package: that is the package it uses
  assert.equal(directDependencyBlame([allocating, app, agent], allocating, new Set(['socks-proxy-agent'])), undefined);
  assert.equal(directDependencyBlame([allocating, app, agent], allocating), undefined);
  // an event callback: no app frame and no listed package on the stack
  assert.equal(directDependencyBlame([allocating, agentBase, new Frame('node:events', 1, 'emit')], allocating, new Set(['socks-proxy-agent'])), undefined);
  assert.equal(directDependencyBlame([allocating, agentBase], allocating), undefined);
  // the app's own frame is never moved
  assert.equal(directDependencyBlame([app, agent], app, new Set()), undefined);
});
