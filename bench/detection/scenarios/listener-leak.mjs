// A leak through event listeners: every request that queries the database registers a
// retry on the shared connection's 'reconnect' event and never removes it. Node prints a
// MaxListenersExceededWarning once the emitter passes 10 listeners, like it does in real services.
import { EventEmitter } from 'node:events';
import { serveTraffic } from './service.mjs';

const database = new EventEmitter();
const retried = [];

function queryWithRetry(request) {
  const { id, total } = request;
  database.on('reconnect', () => retried.push({ id, total }));
}

serveTraffic({
  middleware(request) {
    if (request.id % 8 === 0) queryWithRetry(request);
  },
});
