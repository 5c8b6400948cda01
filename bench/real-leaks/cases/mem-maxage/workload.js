// A price service that memoizes a slow quote lookup with mem's maxAge (entries should expire
// after 2 s). Keys are per customer and query, so most are never asked for again: before
// mem 4 an expired entry was only dropped when its key was looked up once more
// (sindresorhus/mem, "old results not removed from the cache despite maxAge").
// RATE requests per second over loopback HTTP for DURATION_S seconds, then everything closes.
'use strict';
const http = require('node:http');
const mem = require('mem');

const RATE = Number(process.env.RATE || 300);
const DURATION_S = Number(process.env.DURATION_S || 70);

function quote(customer, sku, qty) {
  const base = 10 + (sku.length * 7) % 90;
  return {
    customer,
    sku,
    qty,
    unit: base,
    total: base * qty,
    breakdown: Array.from({ length: 6 }, (_, i) => ({ step: `rule-${i}`, note: `applied ${sku}/${customer}/${i}`, delta: (i * qty) % 5 })),
    validUntil: new Date(Date.now() + 2000).toISOString(),
  };
}
const cachedQuote = mem(quote, { maxAge: 2000, cacheKey: (...args) => args.join('|') });

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const q = cachedQuote(url.searchParams.get('customer'), url.searchParams.get('sku'), Number(url.searchParams.get('qty')));
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(q));
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
let sent = 0;
function send(port) {
  const n = ++sent;
  const path = `/quote?customer=c${n}&sku=sku-${n % 4001}&qty=${1 + (n % 9)}`;
  http
    .get({ port, host: '127.0.0.1', path, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => JSON.parse(text).total);
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
