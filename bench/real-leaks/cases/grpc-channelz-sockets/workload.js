// A job runner that opens a gRPC client per job, makes a few calls to a report service and
// closes the client. Before @grpc/grpc-js 1.8.13 a client transport registered itself in
// channelz and was never unregistered on shutdown, so every connection (its HTTP/2 session
// and bookkeeping) stayed reachable (grpc/grpc-node#2394). RATE jobs per second for DURATION_S
// seconds, then the server shuts down.
'use strict';
const grpc = require('@grpc/grpc-js');

const RATE = Number(process.env.RATE || 10);
const DURATION_S = Number(process.env.DURATION_S || 70);

const json = {
  serialize: (value) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes) => JSON.parse(bytes.toString('utf8')),
};
const service = {
  render: {
    path: '/reports.Reports/Render',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
};

function render(call, callback) {
  const { job, page } = call.request;
  const rows = Array.from({ length: 20 }, (_, i) => ({ line: i, text: `job ${job} page ${page} row ${i}`, amount: (job * i) % 1000 }));
  callback(null, { job, page, rows, total: rows.reduce((sum, row) => sum + row.amount, 0) });
}

const server = new grpc.Server();
server.addService(service, { render });
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  server.start();
  const Client = grpc.makeGenericClientConstructor(service, 'Reports');
  let jobs = 0;

  function runJob() {
    const job = ++jobs;
    const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    let pending = 3;
    for (let page = 1; page <= 3; page++) {
      client.render({ job, page }, { deadline: Date.now() + 5000 }, (err, reply) => {
        if (!err) reply.total.toFixed(0);
        if (--pending === 0) client.close();
      });
    }
  }

  const ticker = setInterval(runJob, 1000 / RATE);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(() => server.tryShutdown(() => {}), 1000);
  }, DURATION_S * 1000);
});
