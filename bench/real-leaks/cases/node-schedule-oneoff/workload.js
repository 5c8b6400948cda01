// A notification API that schedules a one-off reminder job per request with node-schedule
// (scheduleJob(date, fn)). Before 2.0.0 a one-off job stayed in the module's scheduledJobs
// registry after it fired, with its callback and everything that closes over
// (node-schedule/node-schedule#581). RATE requests per second over loopback for DURATION_S
// seconds, then the client stops, the last jobs fire and the server closes.
'use strict';
const http = require('node:http');
const schedule = require('node-schedule');

const RATE = Number(process.env.RATE || 150);
const DURATION_S = Number(process.env.DURATION_S || 70);

const outbox = [];
let delivered = 0;

const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const reminder = JSON.parse(body);
    const at = new Date(Date.now() + reminder.inMs);
    const message = { to: reminder.user, text: `Reminder: ${reminder.title}`, channel: reminder.channel, meta: reminder.meta };
    schedule.scheduleJob(at, () => {
      outbox.push(JSON.stringify(message));
      if (outbox.length > 100) outbox.shift();
      delivered++;
    });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ scheduled: true, at: at.toISOString() }));
  });
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
let sent = 0;
function send(port) {
  const n = ++sent;
  const payload = JSON.stringify({
    user: `user-${n % 1999}`,
    title: `invoice #${n} is due`,
    channel: ['email', 'sms', 'push'][n % 3],
    inMs: 500 + (n % 1500),
    meta: { campaign: `c-${n % 23}`, locale: 'en-GB', tags: ['billing', `tier-${n % 4}`] },
  });
  const req = http.request({ port, host: '127.0.0.1', path: '/reminders', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => (text += chunk));
    res.on('end', () => JSON.parse(text));
  });
  req.on('error', () => {});
  req.end(payload);
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
    }, 2500);
  }, DURATION_S * 1000);
});
