// Healthy: an LRU cache of rendered product summaries, bounded at 40 000 entries. It fills
// during the first third of the run, then evicts as fast as it inserts.
import { scenarioSeconds, serveTraffic } from './service.mjs';

const LIMIT = 40_000;
const insertsPerSecond = LIMIT / (scenarioSeconds / 3);
const cache = new Map();
const startedAt = Date.now();
let inserts = 0;

function cachedSummary(key) {
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const summary = { key, html: `<li>product ${key}</li>`.repeat(4), at: Date.now() };
  cache.set(key, summary);
  inserts++;
  if (cache.size > LIMIT) cache.delete(cache.keys().next().value);
  return summary;
}

serveTraffic({
  middleware(request) {
    cachedSummary(Math.max(0, inserts - 1 - (request.id % 50))); // a recent key: a hit
    while (inserts < insertsPerSecond * ((Date.now() - startedAt) / 1000)) cachedSummary(inserts);
  },
});
