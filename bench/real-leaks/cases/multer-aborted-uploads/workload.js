// A photo upload API: express + multer with disk storage (`multer({ storage: diskStorage })`,
// files into a temp folder); the receipt scanner behind it reads the photo's size and answers
// JSON. Phones on bad networks drop part of their uploads: the client resets the connection
// halfway through the file. Since 2.2.0 multer removes the partial file when the request
// aborts, but its disk storage piped busboy's file stream into an fs.WriteStream with
// `pipe()`, which does not close the destination when the source is destroyed early: every
// aborted upload left its write stream and an open file descriptor (of a file already
// unlinked) for the life of the process (expressjs/multer#259, #1217, PR #971; fixed in 2.3.0,
// storage/disk.js: stream.pipeline and a destroy before unlinking). RATE uploads per second,
// one in ABORT_EVERY reset halfway, for DURATION_S seconds; then the server closes and the
// temp folder is removed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import multer from 'multer';

const RATE = Number(process.env.RATE || 60);
const DURATION_S = Number(process.env.DURATION_S || 70);
const ABORT_EVERY = Number(process.env.ABORT_EVERY || 3);
const PHOTO_BYTES = 96 * 1024;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'real-leak-multer-'));
const storage = multer.diskStorage({
  destination: dir,
  filename: (req, file, cb) => cb(null, `${Date.now()}-${crypto.randomBytes(6).toString('hex')}${path.extname(file.originalname)}`),
});
const upload = multer({ storage, limits: { fileSize: 4 * 1024 * 1024 } });

const app = express();
const receipts = new Map(); // receipt id -> summary, the last 1000 kept
app.post('/receipts', upload.single('photo'), (req, res) => {
  const summary = { id: req.body.receiptId, merchant: req.body.merchant, bytes: req.file.size, stored: path.basename(req.file.path) };
  receipts.set(summary.id, summary);
  if (receipts.size > 1000) receipts.delete(receipts.keys().next().value);
  fs.unlink(req.file.path, () => {}); // scanned: the photo is not kept
  res.json({ ok: true, receipt: summary });
});
app.use((err, req, res, next) => {
  if (!res.headersSent) res.status(400).json({ ok: false, error: err.code || err.message });
});

const photo = crypto.randomBytes(PHOTO_BYTES);
let sent = 0;
const stats = { ok: 0, aborted: 0, failed: 0 };

function send(port) {
  const n = ++sent;
  const boundary = `----receipt${n}${crypto.randomBytes(4).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="receiptId"\r\n\r\nr-${n}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="merchant"\r\n\r\nshop-${n % 97}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="receipt-${n}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const abort = n % ABORT_EVERY === 0;
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/receipts',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + photo.length + tail.length },
  }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => (text += chunk));
    res.on('end', () => (JSON.parse(text).ok ? stats.ok++ : stats.failed++));
  });
  req.on('error', () => {
    if (!abort) stats.failed++;
  });
  req.write(head);
  if (abort) {
    // the network drops halfway through the photo
    req.write(photo.subarray(0, PHOTO_BYTES / 2), () => setTimeout(() => {
      req.destroy();
      stats.aborted++;
    }, 20));
    return;
  }
  req.write(photo);
  req.end(tail);
}

const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const perTick = Math.max(1, Math.round(RATE / 20));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) send(port);
  }, 50);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(() => {
      console.log(`ok ${stats.ok}, aborted ${stats.aborted}, failed ${stats.failed}, left in ${path.basename(dir)}: ${fs.readdirSync(dir).length}`);
      server.close();
      server.closeAllConnections();
      fs.rmSync(dir, { recursive: true, force: true });
    }, 500);
  }, DURATION_S * 1000);
});
