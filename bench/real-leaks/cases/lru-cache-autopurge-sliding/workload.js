// An API gateway that keeps each client's resolved auth context (token claims, plan, rate
// window) in an lru-cache with a sliding TTL: `ttl` + `updateAgeOnGet` so an active client
// stays cached, `ttlAutopurge` so idle clients are dropped without a size bound. In
// lru-cache 11.2.6 the autopurge timer was only scheduled by set(): once get() had reset an
// entry's age, the timer fired, found it fresh and was never rescheduled, so every client
// that made a second request stayed in the cache forever (isaacs/node-lru-cache#392, fixed
// in 11.2.7). Clients come and go over loopback HTTP at RATE requests per second for
// DURATION_S seconds; then the gateway closes.
import http from 'node:http';
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

const RATE = Number(process.env.RATE || 400);
const DURATION_S = Number(process.env.DURATION_S || 70);
const TTL_MS = Number(process.env.TTL_MS || 2000);

const contexts = new LRUCache({ ttl: TTL_MS, ttlAutopurge: true, updateAgeOnGet: true });

function resolveContext(token) {
  const digest = createHash('sha256').update(token).digest('hex');
  return {
    token,
    subject: `user-${digest.slice(0, 10)}`,
    tenant: `tenant-${parseInt(digest.slice(10, 12), 16) % 40}`,
    plan: ['free', 'team', 'business'][parseInt(digest.slice(12, 13), 16) % 3],
    scopes: ['orders:read', 'orders:write', 'catalog:read', `region:${digest.slice(13, 15)}`],
    window: { startedAt: Date.now(), limit: 600, used: 0 },
    claims: { iss: 'https://auth.internal', aud: 'gateway', jti: digest.slice(16, 48), iat: Math.floor(Date.now() / 1000) },
  };
}

const gateway = http.createServer((req, res) => {
  const token = (req.headers.authorization || '').replace(/^Bearer /, '');
  let context = contexts.get(token);
  if (!context) {
    context = resolveContext(token);
    contexts.set(token, context);
  }
  context.window.used++;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ ok: context.window.used <= context.window.limit, subject: context.subject, path: req.url }));
});

// Each client session makes a short burst of requests with its own token, then leaves.
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
let sessions = 0;
const active = [];
function request(port, session) {
  session.left--;
  http
    .get({ host: '127.0.0.1', port, path: `/orders?page=${session.left}`, agent, headers: { authorization: `Bearer ${session.token}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => JSON.parse(text).ok);
    })
    .on('error', () => {});
}

gateway.listen(0, '127.0.0.1', () => {
  const { port } = gateway.address();
  const perTick = Math.max(1, Math.round(RATE / 20));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) {
      if (active.length < 60) {
        const n = ++sessions;
        active.push({ token: `tok_${n.toString(36)}_${((n * 2654435761) >>> 0).toString(16)}`, left: 2 + (n % 5) });
      }
      const at = Math.floor(Math.random() * active.length);
      const session = active[at];
      request(port, session);
      if (session.left === 0) active.splice(at, 1);
    }
  }, 50);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(() => {
      agent.destroy();
      gateway.close();
      contexts.clear();
    }, 500);
  }, DURATION_S * 1000);
});
