// Healthy: warm-up growth that levels off. A table of compiled routes fills as requests hit
// routes seen for the first time; the route space is finite (30 000), so growth slows down
// like 1 - exp(-t/tau) and is about 95% done after the first third of the run.
import { scenarioSeconds, seededRandom, serveTraffic } from './service.mjs';

const ROUTES = 30_000;
const lookupsPerSecond = (3 * ROUTES) / (scenarioSeconds / 3);
const compiledRoutes = new Map();
const random = seededRandom(11);
const startedAt = Date.now();
let lookups = 0;

function compileRoute(key) {
  let route = compiledRoutes.get(key);
  if (!route) {
    route = { key, pattern: new RegExp(`^/api/v1/resource-${key}/(\\d+)$`), name: `resource-${key}` };
    compiledRoutes.set(key, route);
  }
  return route;
}

serveTraffic({
  middleware() {
    while (lookups < lookupsPerSecond * ((Date.now() - startedAt) / 1000)) {
      compileRoute(Math.floor(random() * ROUTES));
      lookups++;
    }
  },
});
