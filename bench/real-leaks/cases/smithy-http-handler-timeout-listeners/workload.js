// An order worker that consumes a queue with the AWS SDK v3 SQS client: 50 pollers, each a loop
// of long-polling ReceiveMessage (WaitTimeSeconds 4), handle the orders, DeleteMessageBatch, over
// the HTTP handler's keep-alive pool (`requestHandler: new NodeHttpHandler({ requestTimeout })`, as
// the SDK's docs show). The queue is a small SQS-compatible service on loopback (JSON protocol)
// that receives RATE orders per second and holds an empty poll until a message arrives or the
// wait time ends, as SQS does. @smithy/node-http-handler 4.0.2 gave every request still running
// after 3 s a socket 'timeout' listener (a closure over the request and its promise's reject) and
// never removed it, so every long poll left one on the pooled socket for the socket's life
// (smithy-lang/smithy-typescript#1530, fixed in 4.0.3 by #1531: remove it on the request's
// 'close'). Polls for DURATION_S seconds, then the pollers stop, the client and the queue close.
'use strict';
const http = require('node:http');
const crypto = require('node:crypto');
const { SQSClient, ReceiveMessageCommand, DeleteMessageBatchCommand } = require('@aws-sdk/client-sqs');
const { NodeHttpHandler } = require('@smithy/node-http-handler');

const RATE = Number(process.env.RATE || 8);
const DURATION_S = Number(process.env.DURATION_S || 70);
const POLLERS = 50;
const WAIT_S = 4;

// --- The queue (SQS JSON protocol, the three calls the worker makes) ---
const queue = [];
const waiting = new Set(); // polls held open until a message arrives or their wait ends
let nextId = 0;

function md5(text) {
  return crypto.createHash('md5').update(text).digest('hex');
}

function enqueueOrder() {
  const id = ++nextId;
  const body = JSON.stringify({ orderId: `ord-${id}`, customer: `c-${id % 977}`, lines: Array.from({ length: 1 + (id % 4) }, (_, i) => ({ sku: `sku-${(id * 7 + i) % 3000}`, qty: 1 + (i % 3) })), placedAt: Date.now() });
  queue.push({ MessageId: crypto.randomUUID(), ReceiptHandle: `rh-${id}-${crypto.randomBytes(12).toString('hex')}`, MD5OfBody: md5(body), Body: body });
  for (const poll of waiting) {
    poll.answer();
    break;
  }
}

function reply(res, payload) {
  const text = JSON.stringify(payload);
  res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': crypto.randomUUID(), 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const sqs = http.createServer((req, res) => {
  let raw = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (raw += chunk));
  req.on('end', () => {
    const target = String(req.headers['x-amz-target'] || '');
    const input = raw ? JSON.parse(raw) : {};
    if (target.endsWith('.ReceiveMessage')) {
      const take = () => queue.splice(0, input.MaxNumberOfMessages || 1);
      if (queue.length) return reply(res, { Messages: take() });
      const poll = {
        answer() {
          clearTimeout(poll.timer);
          waiting.delete(poll);
          const messages = take();
          reply(res, messages.length ? { Messages: messages } : {});
        },
      };
      poll.timer = setTimeout(poll.answer, (input.WaitTimeSeconds || 0) * 1000);
      waiting.add(poll);
      return undefined;
    }
    if (target.endsWith('.DeleteMessageBatch')) return reply(res, { Successful: input.Entries.map((e) => ({ Id: e.Id })), Failed: [] });
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
    return res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidAction', message: target }));
  });
});

// --- The worker ---
const stats = { polls: 0, empty: 0, orders: 0, units: 0, failed: 0 };
let running = true;

async function poller(client, queueUrl) {
  while (running) {
    try {
      const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: WAIT_S }));
      stats.polls++;
      if (!Messages.length) {
        stats.empty++;
        continue;
      }
      for (const message of Messages) {
        const order = JSON.parse(message.Body);
        stats.units += order.lines.reduce((sum, line) => sum + line.qty, 0);
        stats.orders++;
      }
      await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
    } catch {
      stats.failed++;
    }
  }
}

sqs.listen(0, '127.0.0.1', () => {
  const endpoint = `http://127.0.0.1:${sqs.address().port}`;
  const client = new SQSClient({
    region: 'eu-west-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 20000 }),
  });
  const queueUrl = `${endpoint}/000000000000/orders`;
  const producer = setInterval(() => {
    for (let i = 0; i < Math.max(1, Math.round(RATE / 4)); i++) enqueueOrder();
  }, 250);
  const pollers = Array.from({ length: POLLERS }, () => poller(client, queueUrl));
  setTimeout(async () => {
    running = false;
    clearInterval(producer);
    for (const poll of waiting) poll.answer();
    await Promise.all(pollers);
    console.log(`polls ${stats.polls}, empty ${stats.empty}, orders ${stats.orders}, units ${stats.units}, failed ${stats.failed}`);
    client.destroy();
    sqs.close();
    sqs.closeAllConnections();
  }, DURATION_S * 1000);
});
