// A market-data WebSocket server with permessage-deflate on. Clients subscribe to a few
// symbols and get a depth update per symbol on every tick (each over the 1 KiB compression
// threshold). Sessions are short: the server's tick publishes, then cuts off the sessions
// that have expired with terminate() (no close handshake, as for dead peers), and mobile
// clients also drop on their own; every client reconnects. In ws 7.1.1 a socket closed while
// its message is being compressed (here: the update the tick has just published to it) never
// releases its slot in the shared zlib limiter (10 slots): the deflate stream is closed with
// the flush pending and the limiter's done() is never called. Once the slots are gone every
// later compressed message waits in the limiter's queue forever, with its Buffer and its
// socket (websockets/ws#1617). RATE ticks per second for DURATION_S seconds, then the
// clients and the server close.
'use strict';
const WebSocket = require('ws');

const RATE = Number(process.env.RATE || 5);
const DURATION_S = Number(process.env.DURATION_S || 70);
const CLIENTS = 16;
const SYMBOLS = ['BTC-USD', 'ETH-USD', 'SOL-USD', 'XRP-USD', 'ADA-USD', 'DOGE-USD', 'DOT-USD', 'LTC-USD'];
const PER_CLIENT = 3;

const wss = new WebSocket.Server({ host: '127.0.0.1', port: 0, perMessageDeflate: true });
let seq = 0;

function depth(sym) {
  const side = (salt) =>
    Array.from({ length: 40 }, (_, i) => [(100 + ((seq * 7 + i * 13 + salt) % 500) / 100).toFixed(2), ((seq * 31 + i * 17 + salt) % 5000) + 1]);
  return JSON.stringify({ type: 'depth', sym, seq, at: Date.now(), bids: side(sym.length), asks: side(sym.charCodeAt(0)) });
}

// Server side: who is subscribed to what, and until when their session is valid.
const sessions = new Map();
wss.on('connection', (ws) => {
  ws.on('error', () => {});
  ws.on('message', (text) => {
    const request = JSON.parse(text);
    if (request.op === 'subscribe') sessions.set(ws, { symbols: request.symbols, expiresAt: Date.now() + 1000 + Math.floor(Math.random() * 3000) });
  });
  ws.on('close', () => sessions.delete(ws));
});

function tick() {
  seq++;
  const updates = new Map(SYMBOLS.map((sym) => [sym, depth(sym)]));
  const now = Date.now();
  for (const [ws, session] of sessions) {
    if (ws.readyState !== WebSocket.OPEN) continue;
    for (const sym of session.symbols) ws.send(updates.get(sym));
  }
  for (const [ws, session] of sessions) {
    if (session.expiresAt > now) continue;
    sessions.delete(ws);
    ws.terminate();
  }
}

// Client side: subscribe, read updates, drop now and then, reconnect.
let stopping = false;
const clients = new Set();
let levelsSeen = 0;
function connect(port) {
  if (stopping) return;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/md`);
  clients.add(ws);
  ws.on('open', () => {
    const first = Math.floor(Math.random() * SYMBOLS.length);
    ws.send(JSON.stringify({ op: 'subscribe', symbols: Array.from({ length: PER_CLIENT }, (_, i) => SYMBOLS[(first + i) % SYMBOLS.length]) }));
  });
  ws.on('message', (data) => {
    const update = JSON.parse(data);
    levelsSeen += update.bids.length + update.asks.length;
  });
  ws.on('error', () => {});
  const drop = setTimeout(() => ws.terminate(), 1000 + Math.floor(Math.random() * 4000));
  ws.on('close', () => {
    clearTimeout(drop);
    clients.delete(ws);
    setTimeout(connect, 50 + Math.floor(Math.random() * 200), port);
  });
}

wss.on('listening', () => {
  const { port } = wss.address();
  for (let i = 0; i < CLIENTS; i++) connect(port);
  const ticker = setInterval(tick, 1000 / RATE);
  setTimeout(() => {
    stopping = true;
    clearInterval(ticker);
    setTimeout(() => {
      for (const ws of clients) ws.terminate();
      wss.close();
    }, 500);
  }, DURATION_S * 1000);
});
