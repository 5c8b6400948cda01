// A session service that memoizes token introspection for 1 s with memoize's maxAge. Each
// cached entry gets a setTimeout that deletes it; before memoize 10.2.0 the Timeout objects
// were kept in a Set per function after they fired (sindresorhus/memoize#103).
// RATE requests per second over loopback HTTP for DURATION_S seconds, then everything closes.
import http from 'node:http';
import { createHash } from 'node:crypto';
import memoize from 'memoize';

const RATE = Number(process.env.RATE || 300);
const DURATION_S = Number(process.env.DURATION_S || 70);

function introspect(token) {
  const digest = createHash('sha256').update(token).digest('hex');
  return {
    active: !digest.startsWith('00'),
    sub: `user-${digest.slice(0, 8)}`,
    scope: ['read', 'write', digest.slice(8, 12)].join(' '),
    exp: Math.floor(Date.now() / 1000) + 3600,
  };
}
const cachedIntrospect = memoize(introspect, { maxAge: 1000 });

const server = http.createServer((req, res) => {
  const token = (req.headers.authorization || '').replace(/^Bearer /, '');
  const claims = cachedIntrospect(token);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ ok: claims.active, user: claims.sub, path: req.url }));
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
let sent = 0;
function send(port) {
  const n = ++sent;
  const headers = { authorization: `Bearer tok-${n}-${(n * 2654435761) % 1000003}` };
  http
    .get({ port, host: '127.0.0.1', path: `/me?n=${n}`, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => JSON.parse(text).ok);
    })
    .on('error', () => {});
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const perTick = Math.max(1, Math.round(RATE / 20));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) send(port);
  }, 50);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(() => {
      agent.destroy();
      server.close();
    }, 500);
  }, DURATION_S * 1000);
});
