// An Express upload API using express-form-data with autoClean, as in its README. Before
// 2.0.20 every request registered a signal-exit handler `() => cleanSync(req.files)` that was
// never removed, so each request's parsed files stayed reachable from process listeners
// (ortexx/express-form-data#16). RATE uploads per second over loopback for DURATION_S
// seconds, then the client stops and the server closes.
'use strict';
const http = require('node:http');
const os = require('node:os');
const express = require('express');
const formData = require('express-form-data');

const RATE = Number(process.env.RATE || 60);
const DURATION_S = Number(process.env.DURATION_S || 70);

const app = express();
app.use(formData.parse({ uploadDir: os.tmpdir(), autoClean: true }));
app.use(formData.union());

const receipts = [];
app.post('/documents', (req, res) => {
  const doc = req.body.document;
  const meta = JSON.parse(req.body.meta);
  receipts.push({ id: meta.id, name: doc.originalFilename ?? doc.name, bytes: doc.size });
  if (receipts.length > 200) receipts.shift();
  res.json({ stored: true, id: meta.id, bytes: doc.size, tags: meta.tags });
});

const server = http.createServer(app);
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
let sent = 0;

function upload(port) {
  const n = ++sent;
  const boundary = `----upload${n}${Date.now()}`;
  const text = `invoice ${n}\n${'line item, qty, price\n'.repeat(40 + (n % 60))}`;
  const meta = JSON.stringify({ id: n, tags: ['invoice', `customer-${n % 311}`], uploadedBy: `user-${n % 97}` });
  const body = Buffer.from(
    `--${boundary}\r\ncontent-disposition: form-data; name="meta"\r\n\r\n${meta}\r\n` +
      `--${boundary}\r\ncontent-disposition: form-data; name="document"; filename="invoice-${n}.csv"\r\ncontent-type: text/csv\r\n\r\n${text}\r\n` +
      `--${boundary}--\r\n`,
  );
  const req = http.request(
    { port, host: '127.0.0.1', path: '/documents', method: 'POST', agent, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length } },
    (res) => {
      let reply = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (reply += chunk));
      res.on('end', () => JSON.parse(reply));
    },
  );
  req.on('error', () => {});
  req.end(body);
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const perTick = Math.max(1, Math.round(RATE / 20));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) upload(port);
  }, 50);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(() => {
      agent.destroy();
      server.close();
    }, 1000);
  }, DURATION_S * 1000);
});
