// A batch worker that compresses event batches with snappy before storing them and reads
// them back, with the synchronous API on Buffers (Brooooooklyn/snappy#99: 7.2.0 kept a
// reference to every input Buffer of compressSync/uncompressSync). RATE batches per second
// for DURATION_S seconds, then the worker stops.
'use strict';
const { compressSync, uncompressSync } = require('snappy');

const RATE = Number(process.env.RATE || 100);
const DURATION_S = Number(process.env.DURATION_S || 70);

const store = new Map();
let batchNo = 0;

function makeBatch(n) {
  return Array.from({ length: 40 }, (_, i) => ({
    id: `${n}-${i}`,
    type: ['click', 'view', 'purchase'][(n + i) % 3],
    user: `u${(n * 131 + i) % 9973}`,
    path: `/catalog/${(n + i) % 211}/item/${i}`,
    at: Date.now(),
    props: { ref: `campaign-${n % 17}`, value: (n * i) % 1000, label: 'x'.repeat(20 + (i % 30)) },
  }));
}

function work() {
  const n = ++batchNo;
  const raw = Buffer.from(JSON.stringify(makeBatch(n)));
  const packed = compressSync(raw);
  store.set(n % 200, packed);
  const back = uncompressSync(store.get((n * 7) % Math.min(n, 200)) ?? packed);
  return JSON.parse(back.toString('utf8')).length;
}

const perTick = Math.max(1, Math.round(RATE / 20));
const ticker = setInterval(() => {
  for (let i = 0; i < perTick; i++) work();
}, 50);
setTimeout(() => {
  clearInterval(ticker);
  store.clear();
}, DURATION_S * 1000);
