// Timers never cleared: every order starts a status poller that is never stopped.
import { serveTraffic } from './service.mjs';

let polls = 0;

function watchOrder(request) {
  const { id } = request;
  setInterval(() => {
    polls += id > 0 ? 1 : 0;
  }, 600_000);
}

serveTraffic({
  middleware(request) {
    if (request.id % 400 === 0) watchOrder(request);
  },
});
