// A leak through closures (the "Meteor" pattern): every session refresh creates a method
// whose closure context also holds `previous`, because another closure in the same scope
// uses it. Each session keeps the one before it alive: an ever longer chain.
import { serveTraffic } from './service.mjs';

let session = null;

function refreshSession(request) {
  const previous = session;
  const unused = () => previous && previous.summary;
  session = {
    summary: JSON.stringify(request.items),
    describe() {
      return `${this.summary.length} bytes`;
    },
  };
  return unused;
}

serveTraffic({
  middleware(request) {
    if (request.id % 10 === 0) refreshSession(request);
  },
});
