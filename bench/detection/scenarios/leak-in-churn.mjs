// A leak hidden in churn: an audit trail of requests that nobody ever trims.
// LEAK_EVERY sets the rate: one record (about 250 bytes) every LEAK_EVERY requests.
import { serveTraffic } from './service.mjs';

const leakEvery = Number(process.env.LEAK_EVERY ?? 10);
const auditTrail = [];

function recordAudit(request) {
  auditTrail.push({
    id: request.id,
    user: request.id % 5000,
    status: 'accepted',
    items: [request.items.length, request.total],
    at: new Date(request.receivedAt).toISOString(),
  });
}

serveTraffic({
  middleware(request) {
    if (request.id % leakEvery === 0) recordAudit(request);
  },
});
