// Healthy: a saw-tooth. Analytics events are batched in memory and flushed every 3.3 s,
// back to the floor each time.
import { serveTraffic } from './service.mjs';

let batch = [];

function enqueueEvent(request) {
  batch.push({ type: 'order', id: request.id, user: request.id % 5000, at: Date.now() });
  batch.push({ type: 'render', id: request.id, size: request.items.length * 64, at: Date.now() });
}

function flushEvents() {
  batch = [];
}

setInterval(flushEvents, 3300);
serveTraffic({ middleware: enqueueEvent });
