// An API that hands jobs to an in-process worker and waits for each result on a shared
// component-emitter bus under a per-job event name (`once('done:<id>')`). Before 1.3.0,
// removing the last listener of an event left its empty array in the emitter, so the bus
// kept one entry per job forever (component/emitter#74). RATE requests per second over
// loopback for DURATION_S seconds, then the client stops and the server closes.
'use strict';
const http = require('node:http');
const Emitter = require('component-emitter');

const RATE = Number(process.env.RATE || 400);
const DURATION_S = Number(process.env.DURATION_S || 70);

const bus = new Emitter();
const queue = [];
let nextJob = 0;

// The worker: takes queued jobs every few milliseconds and announces each result.
const worker = setInterval(() => {
  for (const job of queue.splice(0, queue.length)) {
    const words = job.text.split(/\s+/);
    bus.emit(`done:${job.id}`, { id: job.id, words: words.length, longest: words.reduce((a, w) => (w.length > a.length ? w : a), '') });
  }
}, 5);

const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const { text } = JSON.parse(body);
    const id = ++nextJob;
    bus.once(`done:${id}`, (result) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(result));
    });
    queue.push({ id, text });
  });
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
let sent = 0;
function send(port) {
  const n = ++sent;
  const payload = JSON.stringify({ text: `order ${n} for customer ${n % 733} contains ${n % 9} items shipped to warehouse ${n % 5}` });
  const req = http.request({ port, host: '127.0.0.1', path: '/analyze', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => (text += chunk));
    res.on('end', () => JSON.parse(text));
  });
  req.on('error', () => {});
  req.end(payload);
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
      clearInterval(worker);
      agent.destroy();
      server.close();
    }, 500);
  }, DURATION_S * 1000);
});
