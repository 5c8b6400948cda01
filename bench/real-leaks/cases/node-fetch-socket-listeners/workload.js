// A backend-for-frontend that fetches from an upstream API with node-fetch and a keep-alive
// agent (node-fetch/node-fetch#1446). Before 3.2.5 every request added a 'close' and a 'data'
// listener to the reused socket and never removed them. RATE requests per second for
// DURATION_S seconds over loopback, then the agents are destroyed and the servers close.
import http from 'node:http';
import fetch from 'node-fetch';

const RATE = Number(process.env.RATE || 200);
const DURATION_S = Number(process.env.DURATION_S || 70);

const upstream = http.createServer((req, res) => {
  const id = Number(req.url.split('/').pop());
  res.setHeader('content-type', 'application/json');
  // Streamed in pieces, so the response is chunked like most API servers' JSON.
  res.write(`{"id":${id},"name":"account ${id}",`);
  res.end(`"plan":"${['free', 'pro', 'team'][id % 3]}","seats":${id % 50}}`);
});

const upstreamAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });

const bff = http.createServer(async (req, res) => {
  const id = Number(req.url.split('/').pop());
  try {
    const response = await fetch(`http://127.0.0.1:${upstream.address().port}/accounts/${id}`, {
      agent: upstreamAgent,
      headers: { accept: 'application/json', 'x-request-id': `r-${id}-${Date.now()}` },
    });
    const account = await response.json();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ account, view: { title: account.name.toUpperCase(), badge: account.plan } }));
  } catch (error) {
    res.statusCode = 502;
    res.end(JSON.stringify({ error: error.message }));
  }
});

const clientAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
let sent = 0;
function send(port) {
  const n = ++sent;
  http
    .get({ port, host: '127.0.0.1', path: `/view/accounts/${n % 4000}`, agent: clientAgent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => JSON.parse(text));
    })
    .on('error', () => {});
}

upstream.listen(0, '127.0.0.1', () => {
  bff.listen(0, '127.0.0.1', () => {
    const { port } = bff.address();
    const perTick = Math.max(1, Math.round(RATE / 20));
    const ticker = setInterval(() => {
      for (let i = 0; i < perTick; i++) send(port);
    }, 50);
    setTimeout(() => {
      clearInterval(ticker);
      setTimeout(() => {
        clientAgent.destroy();
        upstreamAgent.destroy();
        bff.close();
        upstream.close();
      }, 500);
    }, DURATION_S * 1000);
  });
});
