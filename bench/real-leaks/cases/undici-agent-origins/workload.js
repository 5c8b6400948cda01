// A webhook dispatcher: events are signed and POSTed with undici's fetch to each tenant's own
// endpoint (https://<tenant>.hooks... in production, http://t<id>.hooks.test:<port> here, which
// the dispatcher's own DNS lookup, the usual SSRF guard, resolves to a receiver on loopback).
// Tenants come and go: each is active for a few seconds, so the Agent keeps opening pools for
// new origins while older origins' keep-alive connections time out. In undici 7.14.0 the Agent
// looked its pools up by a URL object on connect/disconnect but stored them under a string key,
// so a pool was never removed when its last connection closed (nodejs/undici#4424, fixed in
// 7.15.0). RATE deliveries per second for DURATION_S seconds, then the agent and the receiver close.
import crypto from 'node:crypto';
import http from 'node:http';
import { Agent, fetch, setGlobalDispatcher } from 'undici';

const RATE = Number(process.env.RATE || 150);
const DURATION_S = Number(process.env.DURATION_S || 70);
const NEW_TENANTS_PER_S = Number(process.env.NEW_TENANTS_PER_S || 25);
const ACTIVE_TENANTS = 40;

const received = new Map();
const receiver = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const event = JSON.parse(body);
    received.set(req.headers.host.split('.')[0], event.id); // one entry per tenant: the last event seen
    if (received.size > 500) received.delete(received.keys().next().value);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: true, id: event.id }));
  });
});

// The dispatcher resolves tenant hosts itself (here: all to the receiver on loopback).
function lookup(hostname, options, callback) {
  if (!hostname.endsWith('.hooks.test')) return callback(new Error(`blocked host ${hostname}`));
  if (options.all) return callback(null, [{ address: '127.0.0.1', family: 4 }]);
  return callback(null, '127.0.0.1', 4);
}

// At most 4 connections per tenant, as dispatchers do to be polite to receivers.
const agent = new Agent({ connections: 4, keepAliveTimeout: 2000, keepAliveMaxTimeout: 2000, connect: { lookup } });
setGlobalDispatcher(agent);

const secret = 'whsec_7f3a9c';
let sent = 0;
let delivered = 0;
let failed = 0;
const started = Date.now();

async function deliver(port) {
  const n = ++sent;
  const newest = Math.floor(((Date.now() - started) / 1000) * NEW_TENANTS_PER_S);
  const tenant = newest - Math.floor(Math.random() * ACTIVE_TENANTS);
  const event = {
    id: `evt_${n}`,
    type: ['order.created', 'order.paid', 'invoice.sent', 'customer.updated'][n % 4],
    created: Date.now(),
    data: { tenant: `t${tenant}`, amount: (n % 977) * 100, items: Array.from({ length: 3 + (n % 5) }, (_, i) => ({ sku: `sku-${(n + i) % 311}`, qty: 1 + (i % 3) })) },
  };
  const body = JSON.stringify(event);
  const signature = crypto.createHmac('sha256', secret).update(body).digest('hex');
  try {
    const response = await fetch(`http://t${tenant}.hooks.test:${port}/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': `sha256=${signature}` },
      body,
    });
    await response.json();
    delivered++;
  } catch {
    failed++;
  }
}

receiver.listen(0, '127.0.0.1', () => {
  const { port } = receiver.address();
  const perTick = Math.max(1, Math.round(RATE / 20));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) deliver(port);
  }, 50);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(async () => {
      console.log(`delivered ${delivered}, failed ${failed}`);
      await agent.close();
      receiver.close();
      receiver.closeAllConnections();
    }, 1000);
  }, DURATION_S * 1000);
});
