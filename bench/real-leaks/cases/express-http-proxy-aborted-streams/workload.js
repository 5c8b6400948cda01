// A media gateway: an Express app that forwards /media/* to an internal media service with
// express-http-proxy, plus small JSON catalog calls through the same proxy. Players fetch a
// clip, read its first chunks and then go away (seek, skip, close the tab), as video players
// do. express-http-proxy 2.1.1 aborted the upstream request on the incoming request's
// 'aborted' event, which Node no longer emits for a request whose body was read (>= 15.5), so
// every abandoned clip kept its upstream request, response and socket open, paused, for good
// (villadora/express-http-proxy#566, the fix of http-party/node-http-proxy#1559, released in
// 2.1.2: abort on the response's 'close' when it did not finish). RATE player requests per
// second for DURATION_S seconds, then the players stop and both servers close.
'use strict';
const http = require('node:http');
const crypto = require('node:crypto');
const { Readable } = require('node:stream');
const express = require('express');
const proxy = require('express-http-proxy');

const RATE = Number(process.env.RATE || 40);
const DURATION_S = Number(process.env.DURATION_S || 70);

// The media service: streams a clip in 16 KiB chunks, respecting backpressure (pipe).
const segments = Array.from({ length: 8 }, () => crypto.randomBytes(16 * 1024));
const media = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://media');
  if (url.pathname.startsWith('/catalog/')) {
    const id = Number(url.pathname.split('/').pop()) || 0;
    res.setHeader('content-type', 'application/json');
    return res.end(JSON.stringify({ id, title: `clip ${id}`, durationS: 30 + (id % 600), bitrates: [480, 720, 1080].map((h) => ({ h, kbps: h * 3 + (id % 97) })) }));
  }
  const id = Number(url.pathname.split('/').pop()) || 0;
  const chunks = 256 + (id % 64); // 4-5 MiB per clip
  let sent = 0;
  res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(chunks * 16 * 1024) });
  new Readable({
    read() {
      this.push(sent < chunks ? segments[(id + sent++) % segments.length] : null);
    },
  }).pipe(res);
});

// The gateway.
const app = express();
app.use((req, res, next) => {
  res.setHeader('x-gateway', 'media-edge');
  next();
});
let gateway;

const stats = { clips: 0, abandoned: 0, catalog: 0, failed: 0 };

function playClip(port, n) {
  const req = http.get({ host: '127.0.0.1', port, path: `/media/clips/${n}`, headers: { 'x-player': `p-${n % 300}` } }, (res) => {
    let received = 0;
    const wanted = (2 + (n % 6)) * 16 * 1024; // the player buffers a little, then seeks away
    res.on('data', (chunk) => {
      received += chunk.length;
      if (received >= wanted) {
        stats.abandoned++;
        req.destroy();
      }
    });
    res.on('end', () => stats.clips++);
  });
  req.on('error', () => {});
}

function lookUp(port, n) {
  http
    .get({ host: '127.0.0.1', port, path: `/media/catalog/${n % 5000}` }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => {
        try {
          if (JSON.parse(body).id >= 0) stats.catalog++;
        } catch {
          stats.failed++;
        }
      });
    })
    .on('error', () => stats.failed++);
}

media.listen(0, '127.0.0.1', () => {
  app.use('/media', proxy(`127.0.0.1:${media.address().port}`));
  gateway = app.listen(0, '127.0.0.1', () => {
    const { port } = gateway.address();
    let n = 0;
    const perTick = Math.max(1, Math.round(RATE / 20));
    const ticker = setInterval(() => {
      for (let i = 0; i < perTick; i++) {
        n++;
        if (n % 2) playClip(port, n);
        else lookUp(port, n);
      }
    }, 50);
    setTimeout(() => {
      clearInterval(ticker);
      setTimeout(() => {
        console.log(`clips ${stats.clips}, abandoned ${stats.abandoned}, catalog ${stats.catalog}, failed ${stats.failed}`);
        gateway.close();
        gateway.closeAllConnections();
        media.close();
        media.closeAllConnections();
      }, 500);
    }, DURATION_S * 1000);
  });
});
