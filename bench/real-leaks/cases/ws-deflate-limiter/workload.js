// A live-prices WebSocket server with permessage-deflate on, broadcasting updates to clients
// that come and go abruptly (mobile clients dropping). In ws 7.1.1 a socket closed while its
// message was being compressed never released its slot in the shared zlib limiter (10
// slots); once all slots are lost every later message waits in the limiter's queue forever,
// with its Buffer (websockets/ws#1617). RATE broadcasts per second for DURATION_S seconds,
// then the clients and the server close.
'use strict';
const WebSocket = require('ws');

const RATE = Number(process.env.RATE || 10);
const DURATION_S = Number(process.env.DURATION_S || 70);
const CLIENTS = 12;

const wss = new WebSocket.Server({ host: '127.0.0.1', port: 0, perMessageDeflate: true });
let seq = 0;

function snapshot() {
  seq++;
  return JSON.stringify({
    seq,
    at: Date.now(),
    quotes: Array.from({ length: 40 }, (_, i) => ({ sym: `SYM${i}`, bid: (100 + ((seq * 7 + i * 13) % 50) / 10).toFixed(2), ask: (100.5 + ((seq * 3 + i) % 50) / 10).toFixed(2), vol: (seq * i) % 10000 })),
  });
}

let stopping = false;
const clients = new Set();
function connect(port) {
  if (stopping) return;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/prices`);
  clients.add(ws);
  let received = 0;
  ws.on('message', (data) => {
    received += JSON.parse(data).quotes.length;
  });
  ws.on('error', () => {});
  ws.on('close', () => {
    clients.delete(ws);
    connect(port);
  });
  // Mobile clients drop without a closing handshake after a short while.
  setTimeout(() => ws.terminate(), 200 + Math.floor(Math.random() * 1300));
}

wss.on('listening', () => {
  const { port } = wss.address();
  for (let i = 0; i < CLIENTS; i++) connect(port);
  const ticker = setInterval(() => {
    const message = snapshot();
    for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(message);
  }, 1000 / RATE);
  setTimeout(() => {
    stopping = true;
    clearInterval(ticker);
    setTimeout(() => {
      for (const ws of clients) ws.terminate();
      wss.close();
    }, 500);
  }, DURATION_S * 1000);
});
