// A fixed amount of request-like work, timed in CPU seconds of this process (not wall time,
// which other processes on a shared machine distort most). Prints one JSON line.
//   service: per request, parse a 1 KB JSON body, price it, render a 6 KB HTML page and copy it
//            into a Buffer (the kind of malloc traffic an HTTP service makes)
//   buffers: per iteration, an 8 KiB Buffer of its own (malloc, not Node's pool) filled and dropped:
//            malloc-heavy, the worst case for a sampling allocator (every 512 KiB allocated is one stack unwound)
// Run: node bench/native-overhead/work.mjs service|buffers [iterations]
const kind = process.argv[2] ?? 'service';
const iterations = Number(process.argv[3] ?? (kind === 'buffers' ? 200_000 : 40_000));
const words = ['alpine', 'basalt', 'cedar', 'delta', 'ember', 'fjord', 'granite', 'harbor', 'indigo', 'juniper'];
const body = JSON.stringify({
  customer: { id: 'cus_1', email: 'a.b@example.com', address: { line1: '1 cedar street', city: 'delta', postcode: '01234' } },
  items: Array.from({ length: 8 }, (_, i) => ({ productId: i * 7, quantity: 1 + (i % 3), giftNote: i % 2 ? `${words[i]} ${words[i + 1]}` : null })),
});

function serviceRequest(i) {
  const order = JSON.parse(body);
  const total = order.items.reduce((sum, item) => sum + item.quantity * (500 + item.productId * 13), 0);
  const rows = order.items.map((item, j) => `<tr><td>${words[(i + j) % words.length]}</td><td>${item.quantity}</td><td>$${(total / 100).toFixed(2)}</td></tr>`);
  const html = `<html><body><h1>Order ${i}</h1><table>${rows.join('\n').repeat(6)}</table><p>${JSON.stringify(order)}</p></body></html>`;
  return Buffer.from(html).length;
}

function bufferIteration(i) {
  return Buffer.allocUnsafeSlow(8 * 1024).fill(i & 0xff).length;
}

const step = kind === 'buffers' ? bufferIteration : serviceRequest;
for (let i = 0; i < 2000; i++) step(i); // warm-up: compiled code, caches
const before = process.cpuUsage();
let sink = 0;
for (let i = 0; i < iterations; i++) sink += step(i);
const used = process.cpuUsage(before);
console.log(JSON.stringify({ kind, iterations, cpuMicros: used.user + used.system, sink }));
