// A leak in a small helper of another module (audit-helper.mjs), called from this file's hot
// middleware for every request: once V8 optimizes the middleware it may inline the helper,
// and the sampling heap profiler then charges the helper's allocations to this file.
import { auditRequest } from './audit-helper.mjs';
import { serveTraffic } from './service.mjs';

serveTraffic({
  middleware(request) {
    auditRequest(request.id);
  },
});
