// bench/real-leaks' napi-rs-canvas-encode workload (a badge service: a loopback HTTP server renders
// a card per request and answers with `await canvas.encode('webp', 80)`) with two switches:
// HOLD=0: the canvas is dropped as soon as encode() returns its promise (the case as it was).
// @napi-rs/canvas before 1.0.6 hands the libuv worker a bare pointer to the canvas's Skia
// surface (Brooooooklyn/canvas#1312), so a GC that collects the canvas while its encode waits
// for a worker frees the surface under it and the process dies by SIGSEGV.
// HOLD=1: the canvas is kept until its encode settles (the workaround, now in the case).
// GC_EVERY_MS: a full gc() every so many milliseconds (needs --expose-gc), as heapsleuth's
// inspector sampler runs one at each tick. RATE, DURATION_S as in the case.
'use strict';
const http = require('node:http');
const { createRequire } = require('node:module');
const { join } = require('node:path');

// @napi-rs/canvas 0.1.48, as the real-leaks case installs it
const caseFixed = join(__dirname, '..', '..', 'real-leaks', 'cases', 'napi-rs-canvas-encode', 'fixed', 'package.json');
const { createCanvas } = createRequire(caseFixed)('@napi-rs/canvas');

const RATE = Number(process.env.RATE || 5);
const DURATION_S = Number(process.env.DURATION_S || 70);
const HOLD = process.env.HOLD === '1';
const GC_EVERY_MS = Number(process.env.GC_EVERY_MS || 0);

const WIDTH = 360;
const HEIGHT = 200;

function statusOf(name) {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return {
    name,
    uptime: 95 + (h % 500) / 100,
    checks: Array.from({ length: 30 }, (_, i) => 40 + ((h >> (i % 16)) + i * 17) % 160),
  };
}

async function renderCard(status) {
  const canvas = createCanvas(WIDTH, HEIGHT);
  const ctx = canvas.getContext('2d');
  const gradient = ctx.createLinearGradient(0, 0, WIDTH, HEIGHT);
  gradient.addColorStop(0, '#0f2537');
  gradient.addColorStop(1, '#1d4e6b');
  ctx.fillStyle = gradient;
  ctx.fillRect(0, 0, WIDTH, HEIGHT);
  ctx.fillStyle = '#ffffff';
  ctx.font = 'bold 22px sans-serif';
  ctx.fillText(status.name, 16, 34);
  ctx.font = '15px sans-serif';
  ctx.fillText(`uptime ${status.uptime.toFixed(2)}%`, 16, 58);
  ctx.strokeStyle = status.uptime > 99 ? '#4cd964' : '#ffcc00';
  ctx.lineWidth = 2;
  ctx.beginPath();
  status.checks.forEach((ms, i) => {
    const x = 16 + (i * (WIDTH - 32)) / (status.checks.length - 1);
    const y = HEIGHT - 16 - (ms / 200) * 100;
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.stroke();
  const encoded = canvas.encode('webp', 80);
  // the closure keeps the canvas (and through it its context and surface) reachable until the encode settles
  return HOLD ? encoded.finally(() => canvas.width) : encoded;
}

const server = http.createServer(async (req, res) => {
  const name = decodeURIComponent(req.url.split('/').pop() || 'unknown');
  try {
    const image = await renderCard(statusOf(name));
    res.writeHead(200, { 'content-type': 'image/webp', 'content-length': image.length, 'cache-control': 'max-age=60' });
    res.end(image);
  } catch (error) {
    res.writeHead(500);
    res.end(String(error));
  }
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
let sent = 0;
let bytes = 0;
function fetchCard(port) {
  const n = ++sent;
  http
    .get({ host: '127.0.0.1', port, path: `/badge/service-${n % 997}`, agent }, (res) => {
      res.on('data', (chunk) => (bytes += chunk.length));
      res.resume();
    })
    .on('error', () => {});
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const ticker = setInterval(() => fetchCard(port), 1000 / RATE);
  const collector = GC_EVERY_MS > 0 ? setInterval(() => globalThis.gc(), GC_EVERY_MS) : undefined;
  setTimeout(() => {
    clearInterval(ticker);
    clearInterval(collector);
    setTimeout(() => {
      agent.destroy();
      server.close();
    }, 500);
  }, DURATION_S * 1000);
});
