// A notification service that renders order e-mails in the customer's language with i18next's
// built-in Intl formatters, passing per-value format options the way the i18next docs show
// (`t('key', { val, formatParams: { val: { ... } } })`, one formatted value per string). Before 23.12.4 createCachedFormatter
// keyed its cache with JSON.stringify of all the options, the value included, so every distinct
// date or amount created and kept a new Intl formatter (i18next/i18next#2227). RATE renders per
// second over loopback for DURATION_S seconds, then the client stops and the server closes.
'use strict';
const http = require('node:http');
const i18next = require('i18next');

const RATE = Number(process.env.RATE || 50);
const DURATION_S = Number(process.env.DURATION_S || 70);

const resources = {
  en: { translation: { greeting: 'Hello {{name}}, thank you for your order {{id}}.', placed: 'Placed on {{val, datetime}}.', total: 'Total: {{val, currency}}.', items_one: '{{count}} item', items_other: '{{count}} items', ship: 'Estimated delivery: {{val, datetime}}.' } },
  de: { translation: { greeting: 'Hallo {{name}}, danke für Ihre Bestellung {{id}}.', placed: 'Aufgegeben am {{val, datetime}}.', total: 'Summe: {{val, currency}}.', items_one: '{{count}} Artikel', items_other: '{{count}} Artikel', ship: 'Voraussichtliche Lieferung: {{val, datetime}}.' } },
  fr: { translation: { greeting: 'Bonjour {{name}}, merci pour votre commande {{id}}.', placed: 'Passée le {{val, datetime}}.', total: 'Total : {{val, currency}}.', items_one: '{{count}} article', items_other: '{{count}} articles', ship: 'Livraison estimée : {{val, datetime}}.' } },
};

function render(t, order) {
  return [
    t('greeting', { name: order.customer, id: order.id }),
    t('placed', { val: new Date(order.createdAt), formatParams: { val: { dateStyle: 'long', timeStyle: 'short' } } }),
    t('total', { val: order.total, formatParams: { val: { currency: order.currency } } }),
    t('items', { count: order.items.length }),
    t('ship', { val: new Date(order.createdAt + 3 * 86400000), formatParams: { val: { weekday: 'long', month: 'long', day: 'numeric' } } }),
  ].join('\n');
}

i18next.init({ lng: 'en', fallbackLng: 'en', resources, initImmediate: false }).then(() => {
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const order = JSON.parse(body);
      const t = i18next.getFixedT(order.lang);
      const text = render(t, order);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ to: `${order.customer.toLowerCase()}@example.test`, subject: `${order.id}: ${t('placed', { val: new Date(order.createdAt), formatParams: { val: { dateStyle: 'medium' } } })}`, text }));
    });
  });

  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const names = ['Ada', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances'];
  let sent = 0;
  function notify(port) {
    const n = ++sent;
    const order = {
      id: `A-${100000 + n}`,
      lang: ['en', 'de', 'fr'][n % 3],
      customer: names[n % names.length],
      currency: ['EUR', 'USD', 'GBP'][n % 3],
      createdAt: Date.now() - (n % 600) * 1000,
      total: Math.round((10 + ((n * 7919) % 50000) / 100) * 100) / 100,
      items: Array.from({ length: 1 + (n % 5) }, (_, i) => ({ sku: `sku-${(n + i) % 97}` })),
    };
    const req = http.request({ port, host: '127.0.0.1', path: '/notify', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => JSON.parse(text));
    });
    req.on('error', () => {});
    req.end(JSON.stringify(order));
  }

  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    const perTick = Math.max(1, Math.round(RATE / 20));
    const ticker = setInterval(() => {
      for (let i = 0; i < perTick; i++) notify(port);
    }, 50);
    setTimeout(() => {
      clearInterval(ticker);
      setTimeout(() => {
        agent.destroy();
        server.close();
      }, 1000);
    }, DURATION_S * 1000);
  });
});
