// A certificate monitor that checks its TLS endpoints with ssl-checker, using GET as some
// load balancers want (dyaa/ssl-checker#478: before 2.0.9 the response was never read nor
// its socket destroyed, so every check left a TLS socket open). The endpoints are a local
// HTTPS server with a self-signed certificate (the fixture next to this file). RATE checks per
// second for DURATION_S seconds, then the monitor stops and the server closes.
'use strict';
const https = require('node:https');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const sslChecker = require('ssl-checker');

const RATE = Number(process.env.RATE || 2);
const DURATION_S = Number(process.env.DURATION_S || 70);

// A home page of the usual size (about 400 KB of HTML), as the monitored sites serve.
const page = `<!doctype html><html><head><title>status</title></head><body>${Array.from(
  { length: 3000 },
  (_, i) => `<div class="row" id="r${i}"><span>service ${i % 97}</span><em>${i % 2 ? 'up' : 'degraded'}</em><p>${'lorem ipsum '.repeat(6)}</p></div>`,
).join('\n')}</body></html>`;
const server = https.createServer(
  { key: readFileSync(join(__dirname, 'localhost-key.pem')), cert: readFileSync(join(__dirname, 'localhost-cert.pem')) },
  (req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(page);
  },
);

const report = new Map();
let checked = 0;

async function check(port) {
  const n = ++checked;
  const endpoint = `svc-${n % 25}`;
  try {
    const result = await sslChecker('localhost', { port, method: 'GET', path: `/health/${endpoint}` });
    report.set(endpoint, { ...result, checkedAt: new Date().toISOString() });
  } catch (error) {
    report.set(endpoint, { valid: false, error: error.message });
  }
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const ticker = setInterval(() => check(port), 1000 / RATE);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(() => {
      server.close();
      server.closeAllConnections?.();
    }, 500);
  }, DURATION_S * 1000);
});
