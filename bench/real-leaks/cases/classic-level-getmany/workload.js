// A catalogue API on an embedded LevelDB (classic-level, prebuilt binary from its npm package)
// that answers each page with db.getMany() over the product and its related items. Before
// 1.2.0 the native binding copied every key of getMany() into a new buffer and never freed it
// (Level/classic-level#9): native memory only, the JS heap stays flat. RATE requests per
// second over loopback for DURATION_S seconds, then the server and the database close and the
// database folder is removed.
'use strict';
const http = require('node:http');
const os = require('node:os');
const fs = require('node:fs');
const path = require('node:path');
const { ClassicLevel } = require('classic-level');

const RATE = Number(process.env.RATE || 200);
const DURATION_S = Number(process.env.DURATION_S || 70);
const PRODUCTS = 5000;

const location = fs.mkdtempSync(path.join(os.tmpdir(), 'catalogue-'));
const db = new ClassicLevel(location, { valueEncoding: 'json' });
const keyOf = (id) => `product:${String(id).padStart(8, '0')}:catalogue-entry`;

async function seed() {
  const batch = db.batch();
  for (let id = 0; id < PRODUCTS; id++) {
    batch.put(keyOf(id), { id, name: `product ${id}`, price: (id * 37) % 1000, tags: [`t${id % 17}`, `t${id % 5}`] });
  }
  await batch.write();
}

const server = http.createServer(async (req, res) => {
  const id = Number(req.url.split('/').pop());
  const related = Array.from({ length: 60 }, (_, i) => keyOf((id * 7 + i * 13) % PRODUCTS));
  try {
    const [product, ...others] = await db.getMany([keyOf(id), ...related]);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ product, related: others.filter(Boolean).slice(0, 8).map((p) => ({ id: p.id, name: p.name })) }));
  } catch (error) {
    res.statusCode = 500;
    res.end(JSON.stringify({ error: error.message }));
  }
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
let sent = 0;
function send(port) {
  const n = ++sent;
  http
    .get({ port, host: '127.0.0.1', path: `/products/${n % PRODUCTS}`, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => JSON.parse(text));
    })
    .on('error', () => {});
}

seed().then(() => {
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    const perTick = Math.max(1, Math.round(RATE / 20));
    const ticker = setInterval(() => {
      for (let i = 0; i < perTick; i++) send(port);
    }, 50);
    setTimeout(() => {
      clearInterval(ticker);
      setTimeout(async () => {
        agent.destroy();
        server.close();
        await db.close();
        fs.rmSync(location, { recursive: true, force: true });
      }, 500);
    }, DURATION_S * 1000);
  });
});
