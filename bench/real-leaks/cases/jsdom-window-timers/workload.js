// A card-preview service that renders product cards with a small client-side widget script,
// run server-side in one long-lived jsdom window (runScripts: "dangerously": the page's script
// runs in the window's vm context, as it would in a browser). Each render builds the card's DOM,
// defers its layout pass and its impression beacon with window.setTimeout() as browser code
// does, serializes the card and clears the container.
// jsdom 16.2.1's window.setTimeout() kept every one-shot timer in the window's map of active
// timers after it fired (only intervals were meant to stay): the Node Timeout, the page's
// callback and everything the callback closes over (the card's detached DOM, its props) live as
// long as the window (jsdom Changelog 16.2.2: 'Fixed setTimeout() to no longer leak the closures
// passed in to it. This likely regressed in v16.1.0.'; the fix deletes the handle once it ran).
// RATE renders per second from a client over loopback HTTP for DURATION_S seconds; then the
// client and the server close and the window is closed.
'use strict';
const http = require('node:http');
const { JSDOM } = require('jsdom');

const RATE = Number(process.env.RATE || 60);
const DURATION_S = Number(process.env.DURATION_S || 70);

const page = `<!DOCTYPE html>
<html><head><title>cards</title></head>
<body><div id="root"></div>
<script>
  (function () {
    var root = document.getElementById('root');
    var beacons = 0;
    function el(tag, cls, text) {
      var node = document.createElement(tag);
      if (cls) node.className = cls;
      if (text != null) node.textContent = String(text);
      return node;
    }
    window.cardStats = function () { return { beacons: beacons }; };
    window.renderCard = function (props) {
      return new Promise(function (resolve) {
        var card = el('article', 'card card--' + props.theme);
        card.setAttribute('data-sku', props.sku);
        card.appendChild(el('h2', 'card__title', props.title));
        var price = el('p', 'card__price', props.currency + ' ' + props.price.toFixed(2));
        card.appendChild(price);
        var tags = el('ul', 'card__tags');
        props.tags.forEach(function (tag) { tags.appendChild(el('li', 'tag', tag)); });
        card.appendChild(tags);
        root.appendChild(card);
        // layout pass after the current task, as the widget does in the browser
        setTimeout(function () {
          card.setAttribute('data-width', String(props.title.length * 7 + 40));
          if (props.discount > 0) price.appendChild(el('span', 'card__discount', '-' + props.discount + '%'));
          var html = card.outerHTML;
          root.removeChild(card);
          resolve(html);
        }, 0);
        // impression beacon, deferred so it never delays the render
        setTimeout(function (sku, theme) { beacons++; props.seen = sku + ':' + theme; }, 1, props.sku, props.theme);
      });
    };
  })();
</script></body></html>`;

const dom = new JSDOM(page, { runScripts: 'dangerously', url: 'https://cards.example.test/' });
const { window } = dom;
const stats = { rendered: 0, failed: 0 };

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const id = Number(url.pathname.split('/').pop()) || 0;
  const props = {
    sku: `SKU-${id % 5000}`,
    title: `Product ${id % 5000} ${['lamp', 'chair', 'desk', 'shelf', 'rug'][id % 5]}`,
    price: ((id * 37) % 20000) / 100,
    currency: 'EUR',
    discount: id % 4 === 0 ? 10 + (id % 30) : 0,
    theme: url.searchParams.get('theme') || 'light',
    tags: Array.from({ length: 1 + (id % 5) }, (_, i) => `tag-${(id + i) % 40}`),
  };
  try {
    const html = await window.renderCard(props);
    stats.rendered++;
    res.setHeader('content-type', 'text/html');
    res.end(html);
  } catch (error) {
    stats.failed++;
    res.statusCode = 500;
    res.end(String(error && error.message));
  }
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
function getCard(port, n) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/cards/${n}?theme=${n % 3 === 0 ? 'dark' : 'light'}`, agent }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', resolve);
  });
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  let n = 0;
  const perTick = Math.max(1, Math.round(RATE / 10));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) getCard(port, ++n);
  }, 100);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(() => {
      console.log(`rendered ${stats.rendered}, failed ${stats.failed}, beacons ${window.cardStats().beacons}`);
      agent.destroy();
      server.close();
      window.close();
    }, 500);
  }, DURATION_S * 1000);
});
