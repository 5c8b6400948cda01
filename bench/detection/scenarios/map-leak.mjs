// A leak through a Map keyed by request id: requests are tracked while in flight, and the
// error path forgets to untrack them (1 request in 20 fails).
import { serveTraffic } from './service.mjs';

const inflight = new Map();

function trackRequest(request) {
  inflight.set(request.id, { startedAt: new Date(), method: 'POST', attempts: [1], user: request.id % 5000 });
}

function untrackRequest(request, failed) {
  if (failed) return; // the bug: the error path returns before cleaning up
  inflight.delete(request.id);
}

serveTraffic({ failureEvery: 20, middleware: trackRequest, onFinish: untrackRequest });
