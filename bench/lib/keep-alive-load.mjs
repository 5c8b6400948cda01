// A keep-alive HTTP client that loads a server on loopback as hard as it answers: `clients`
// requests in flight at all times, each started when the one before it ended.
import { Agent, request } from 'node:http';

/** Requests per second that `clients` concurrent keep-alive clients get from 127.0.0.1:`port` in `ms`. */
export function keepAliveLoad(port, clients = 8) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const hit = () =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
  return {
    async requestsPerSecond(ms) {
      let done = 0;
      const until = Date.now() + ms;
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (Date.now() < until) {
            await hit();
            done++;
          }
        }),
      );
      return done / (ms / 1000);
    },
    close: () => agent.destroy(),
  };
}
