// Healthy: a big one-off allocation. A third into the run the service loads a catalogue of
// 300 000 products (about 40 MB) and keeps it for good; nothing grows after that.
import { scenarioSeconds, serveTraffic } from './service.mjs';

let catalogue = [];

function loadCatalogue() {
  catalogue = Array.from({ length: 300_000 }, (_, i) => ({ sku: `sku-${i}`, title: `Product number ${i}`, price: i % 1000 }));
}

setTimeout(loadCatalogue, (scenarioSeconds * 1000) / 3);
serveTraffic({
  middleware(request) {
    return catalogue[request.id % 1000];
  },
});
