// A gRPC inventory service and a client that calls it with a 10-minute deadline, as most
// clients set one. Before @grpc/grpc-js 1.8.5 the deadline timer of a finished call was not
// cleared, so each call (its metadata, messages and callbacks) stayed alive until its
// deadline (grpc/grpc-node#2332). RATE calls per second for DURATION_S seconds, then the
// channel and the server close.
'use strict';
const grpc = require('@grpc/grpc-js');

const RATE = Number(process.env.RATE || 150);
const DURATION_S = Number(process.env.DURATION_S || 70);

const json = {
  serialize: (value) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes) => JSON.parse(bytes.toString('utf8')),
};
const service = {
  checkStock: {
    path: '/inventory.Inventory/CheckStock',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
};

const stock = new Map();
function checkStock(call, callback) {
  const { skus, warehouse } = call.request;
  const lines = skus.map((sku) => {
    const level = stock.get(sku) ?? (sku.length * 13) % 40;
    stock.set(sku, level);
    return { sku, warehouse, level, reserved: level % 3, note: `checked ${sku} at ${warehouse}` };
  });
  callback(null, { lines, checkedAt: new Date().toISOString() });
}

const server = new grpc.Server();
server.addService(service, { checkStock });
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  server.start();
  const Client = grpc.makeGenericClientConstructor(service, 'Inventory');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  let sent = 0;
  const perTick = Math.max(1, Math.round(RATE / 20));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) {
      const n = ++sent;
      const request = { warehouse: `wh-${n % 7}`, skus: Array.from({ length: 1 + (n % 4) }, (_, k) => `sku-${(n * 31 + k) % 2003}`) };
      const metadata = new grpc.Metadata();
      metadata.set('x-request-id', `req-${n}-${Date.now()}`);
      client.checkStock(request, metadata, { deadline: Date.now() + 10 * 60 * 1000 }, (err, reply) => {
        if (!err) reply.lines.length;
      });
    }
  }, 50);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(() => {
      client.close();
      server.forceShutdown();
      // Like many services, do not wait for stray timers once everything is closed.
      setTimeout(() => process.exit(0), 2000).unref();
    }, 500);
  }, DURATION_S * 1000);
});
