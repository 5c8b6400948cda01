// A price monitor that scrapes shop pages through a rotating SOCKS5 proxy service: as with
// residential proxy providers, each request gets its own sticky session, chosen by the user
// name (`session-<n>`), so the scraper builds a new SocksProxyAgent per request
// (socks5h://, the proxy resolves names). Here the proxy and the shop both run on loopback.
// socks-proxy-agent 6.2.0-beta.0 gave every agent its own `new CacheableLookup()`, whose
// constructor starts a setInterval (the fallback sweep) that nothing ever clears, so every
// agent's lookup cache, its dns Resolver and the interval stay alive forever
// (TooTallNate/node-socks-proxy-agent#93, fixed in 6.2.0-beta.1 by dropping cacheable-lookup).
// RATE pages per second for DURATION_S seconds, then the proxy and the shop close.
import http from 'node:http';
import net from 'node:net';
import { SocksProxyAgent } from 'socks-proxy-agent';

const RATE = Number(process.env.RATE || 60);
const DURATION_S = Number(process.env.DURATION_S || 70);

// The shop: a product page as JSON.
const shop = http.createServer((req, res) => {
  const id = Number(new URL(req.url, 'http://shop.test').searchParams.get('id'));
  res.setHeader('content-type', 'application/json');
  res.end(
    JSON.stringify({
      id,
      title: `Product ${id}`,
      price: { amount: 1000 + ((id * 7919) % 50000), currency: 'EUR' },
      stock: id % 13,
      variants: Array.from({ length: 2 + (id % 4) }, (_, i) => ({ sku: `p${id}-v${i}`, color: ['red', 'blue', 'black', 'white'][i] })),
    }),
  );
});

// The proxy: SOCKS5 with user/password auth (RFC 1928/1929), CONNECT only, every
// destination sent to the shop on loopback.
function socksSession(client, shopPort) {
  let buffered = Buffer.alloc(0);
  let stage = 'greeting';
  const onData = (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (stage === 'greeting') {
        if (buffered.length < 2 || buffered.length < 2 + buffered[1]) return;
        const methods = buffered.subarray(2, 2 + buffered[1]);
        buffered = buffered.subarray(2 + buffered[1]);
        const auth = methods.includes(2);
        client.write(Buffer.from([5, auth ? 2 : 0]));
        stage = auth ? 'auth' : 'request';
      } else if (stage === 'auth') {
        if (buffered.length < 2) return;
        const ulen = buffered[1];
        if (buffered.length < 3 + ulen || buffered.length < 3 + ulen + buffered[2 + ulen]) return;
        const plen = buffered[2 + ulen];
        buffered = buffered.subarray(3 + ulen + plen);
        client.write(Buffer.from([1, 0]));
        stage = 'request';
      } else if (stage === 'request') {
        if (buffered.length < 5) return;
        const atyp = buffered[3];
        const addrLen = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + buffered[4];
        if (buffered.length < 4 + addrLen + 2) return;
        const rest = buffered.subarray(4 + addrLen + 2);
        client.removeListener('data', onData);
        const upstream = net.connect(shopPort, '127.0.0.1', () => {
          client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
          if (rest.length) upstream.write(rest);
          client.pipe(upstream).pipe(client);
        });
        upstream.on('error', () => client.destroy());
        client.on('close', () => upstream.destroy());
        return;
      }
    }
  };
  client.on('data', onData);
  client.on('error', () => client.destroy());
}

const proxies = new Set();
const proxy = net.createServer((client) => {
  proxies.add(client);
  client.on('close', () => proxies.delete(client));
  socksSession(client, shop.address().port);
});

let sent = 0;
let scraped = 0;
let failed = 0;
const prices = new Map(); // product id -> last price seen (bounded: 400 products)

function scrape(proxyPort) {
  const n = ++sent;
  const id = n % 400;
  const agent = new SocksProxyAgent(`socks5h://session-${n}:s3cr3t@127.0.0.1:${proxyPort}`);
  http
    .get({ host: '127.0.0.1', port: 80, path: `/products?id=${id}`, headers: { host: 'shop.test', 'user-agent': 'pricebot/1.4', connection: 'close' }, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        const product = JSON.parse(text);
        prices.set(product.id, product.price.amount);
        scraped++;
      });
    })
    .on('error', () => failed++);
}

shop.listen(0, '127.0.0.1', () => {
  proxy.listen(0, '127.0.0.1', () => {
    const proxyPort = proxy.address().port;
    const perTick = Math.max(1, Math.round(RATE / 20));
    const ticker = setInterval(() => {
      for (let i = 0; i < perTick; i++) scrape(proxyPort);
    }, 50);
    setTimeout(() => {
      clearInterval(ticker);
      setTimeout(() => {
        console.log(`scraped ${scraped}, failed ${failed}, products ${prices.size}`);
        for (const socket of proxies) socket.destroy();
        proxy.close();
        shop.close();
        shop.closeAllConnections();
      }, 500);
    }, DURATION_S * 1000);
  });
});
