// The crash of bench/real-leaks' napi-rs-canvas-encode case without heapsleuth or jemalloc, made
// deterministic: busy libuv workers keep an encode queued while its canvas is dropped, a full
// GC collects it and its finalizer frees the Skia surface; then the encode runs on the freed
// surface (@napi-rs/canvas < 1.0.6, Brooooooklyn/canvas#1312). HOLD=1 keeps the canvas until
// the encode settles: no crash. Run with --expose-gc; ROUNDS rounds (default 6).
// GC=off: no gc() of its own; the workers stay busy for BUSY_ITERATIONS pbkdf2 rounds (default
// 40000; 400000 keeps them busy about a second) so that a GC from elsewhere (heapsleuth's tick)
// can come while the encode waits: V8's own young-generation GC (a scavenge task) comes within
// about a second even in this quiet program.
'use strict';
const { pbkdf2 } = require('node:crypto');
const { createRequire } = require('node:module');
const { join } = require('node:path');

const caseFixed = join(__dirname, '..', '..', 'real-leaks', 'cases', 'napi-rs-canvas-encode', 'fixed', 'package.json');
const { createCanvas } = createRequire(caseFixed)('@napi-rs/canvas');
const HOLD = process.env.HOLD === '1';
const ROUNDS = Number(process.env.ROUNDS || 6);
const OWN_GC = process.env.GC !== 'off';
const BUSY_ITERATIONS = Number(process.env.BUSY_ITERATIONS || 40_000);

const occupyWorkers = () => Promise.all(Array.from({ length: 4 }, () => new Promise((done) => pbkdf2('a', 'b', BUSY_ITERATIONS, 32, 'sha512', done))));
const nextTurn = () => new Promise((done) => setImmediate(done));

function queueEncode() {
  const canvas = createCanvas(360, 200);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#1d4e6b';
  ctx.fillRect(0, 0, 360, 200);
  const encoded = canvas.encode('webp', 80);
  return HOLD ? encoded.finally(() => canvas.width) : encoded;
}

(async () => {
  for (let round = 1; round <= ROUNDS; round += 1) {
    const busy = occupyWorkers();
    const encoded = queueEncode(); // the canvas and its context are unreachable from here on
    if (OWN_GC) {
      globalThis.gc();
      await nextTurn(); // Node runs the N-API finalizers (which free the surface) after the GC
      globalThis.gc();
      await nextTurn();
    }
    await busy;
    const image = await encoded;
    console.log(`round ${round}: ${image.length} bytes`);
  }
})();
