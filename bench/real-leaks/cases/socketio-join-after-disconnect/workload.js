// A market-data push server on socket.io: a browser tab connects, sends 'follow' with its
// watchlist id, the server asks the entitlements service which channels that user may see
// (a loopback HTTP call taking 30-120 ms, the database latency of socketio/socket.io#4380) and
// joins the socket to them (its user room, the watchlist room and one room per symbol); every
// 250 ms the server pushes quotes to the symbol rooms. Many tabs are closed or navigated away
// within a few dozen milliseconds (bounces), before the entitlements answer. socket.io 4.5.1
// still lets a disconnected socket join rooms, and nothing removes it again, so the adapter's
// room registry keeps every bounced socket's id and rooms for ever (socketio/socket.io#4067,
// fixed in 4.5.2 by 18f3fda: a socket that disconnected can no longer join a room).
// RATE connections per second for DURATION_S seconds, then the clients, the server and the
// entitlements service close.
'use strict';
const http = require('node:http');
const { Server } = require('socket.io');
const { io: connect } = require('socket.io-client');

const RATE = Number(process.env.RATE || 80);
const DURATION_S = Number(process.env.DURATION_S || 70);
const BOUNCE_SHARE = 0.4;

const SYMBOLS = Array.from({ length: 400 }, (_, i) => `SYM${String(i).padStart(3, '0')}`);

// The entitlements service: which channels a user's watchlist may follow.
const entitlements = http.createServer((req, res) => {
  const [, , user, watchlist] = req.url.split('/');
  const seed = Number(watchlist) || 0;
  const symbols = Array.from({ length: 30 + (seed % 20) }, (_, i) => SYMBOLS[(seed * 7 + i * 13) % SYMBOLS.length]);
  const body = JSON.stringify({ user, watchlist, plan: seed % 3 ? 'pro' : 'basic', symbols, checkedAt: new Date().toISOString() });
  setTimeout(() => {
    res.setHeader('content-type', 'application/json');
    res.end(body);
  }, 30 + (seed % 90));
});
const lookupAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function lookup(port, user, watchlist) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: `/entitlements/${user}/${watchlist}`, agent: lookupAgent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(JSON.parse(text)));
      })
      .on('error', reject);
  });
}

const httpServer = http.createServer();
const ioServer = new Server(httpServer, { transports: ['websocket'] });
const stats = { sessions: 0, bounced: 0, followed: 0, quotes: 0, errors: 0 };

function startServer(entitlementsPort) {
  ioServer.on('connection', (socket) => {
    const user = socket.handshake.auth.user;
    socket.on('follow', async (watchlist) => {
      try {
        const grant = await lookup(entitlementsPort, user, watchlist);
        const rooms = [`user:${user}`, `watchlist:${watchlist}`, ...grant.symbols.map((s) => `quotes:${s}`)];
        socket.join(rooms);
        socket.emit('following', { plan: grant.plan, count: grant.symbols.length });
      } catch {
        stats.errors++;
      }
    });
  });
  let tick = 0;
  return setInterval(() => {
    tick++;
    for (let i = 0; i < 20; i++) {
      const symbol = SYMBOLS[(tick * 17 + i * 31) % SYMBOLS.length];
      ioServer.to(`quotes:${symbol}`).emit('quote', { symbol, bid: 100 + ((tick * i) % 50) / 10, ask: 100.2 + ((tick * i) % 50) / 10, at: Date.now() });
    }
  }, 250);
}

const clients = new Set();

function openSession(port, n) {
  stats.sessions++;
  const user = `u${n % 50000}`;
  const client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { user } });
  clients.add(client);
  const bounce = n % 10 < BOUNCE_SHARE * 10;
  const close = () => {
    clients.delete(client);
    client.close();
  };
  client.on('connect', () => {
    client.emit('follow', n % 5000);
    if (bounce) {
      stats.bounced++;
      setTimeout(close, 5 + (n % 20));
    } else {
      setTimeout(close, 800 + (n % 1200));
    }
  });
  client.on('following', () => stats.followed++);
  client.on('quote', () => stats.quotes++);
  client.on('connect_error', () => {
    stats.errors++;
    close();
  });
}

entitlements.listen(0, '127.0.0.1', () => {
  const quotes = startServer(entitlements.address().port);
  httpServer.listen(0, '127.0.0.1', () => {
    const { port } = httpServer.address();
    let n = 0;
    const perTick = Math.max(1, Math.round(RATE / 10));
    const ticker = setInterval(() => {
      for (let i = 0; i < perTick; i++) openSession(port, ++n);
    }, 100);
    setTimeout(() => {
      clearInterval(ticker);
      setTimeout(() => {
        clearInterval(quotes);
        for (const client of clients) client.close();
        console.log(`sessions ${stats.sessions}, bounced ${stats.bounced}, followed ${stats.followed}, quotes ${stats.quotes}, errors ${stats.errors}, rooms ${ioServer.of('/').adapter.rooms.size}`);
        ioServer.close();
        lookupAgent.destroy();
        entitlements.close();
      }, 2500);
    }, DURATION_S * 1000);
  });
});
