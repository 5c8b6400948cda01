// A report export API that renders each export into a temporary file made with tmp, streams
// it back and removes it with tmp's cleanup callback, as tmp's README shows. Before 0.0.29
// the cleanup callback looked for the wrong function in tmp's exit-time list, so every
// temporary file's remover (and what it closes over) stayed registered until exit
// (raszi/node-tmp#48, #70). RATE exports per second over loopback for DURATION_S seconds,
// then the client stops and the server closes.
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const tmp = require('tmp');

const RATE = Number(process.env.RATE || 150);
const DURATION_S = Number(process.env.DURATION_S || 70);

function renderCsv(exportId, rows) {
  const lines = ['id,customer,amount,currency,status'];
  for (let i = 0; i < rows; i++) lines.push(`${exportId}-${i},customer-${(exportId * 31 + i) % 997},${((exportId + i) % 5000) / 100},EUR,${i % 7 ? 'paid' : 'open'}`);
  return lines.join('\n');
}

const server = http.createServer((req, res) => {
  const exportId = Number(new URL(req.url, 'http://localhost').searchParams.get('id'));
  tmp.file({ prefix: `export-${exportId}-`, postfix: '.csv' }, (error, path, fd, cleanup) => {
    if (error) {
      res.statusCode = 500;
      return res.end(JSON.stringify({ error: error.message }));
    }
    fs.writeSync(fd, renderCsv(exportId, 20 + (exportId % 40)));
    res.setHeader('content-type', 'text/csv');
    fs.createReadStream(path)
      .on('close', () => cleanup())
      .pipe(res);
  });
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
let sent = 0;
function send(port) {
  const n = ++sent;
  http
    .get({ port, host: '127.0.0.1', path: `/exports?id=${n}`, agent }, (res) => {
      let rows = 0;
      res.setEncoding('utf8');
      res.on('data', (chunk) => (rows += chunk.split('\n').length));
      res.on('end', () => rows);
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
    }, 1000);
  }, DURATION_S * 1000);
});
