// An import worker that gives every job its own winston logger: the job's log lines are
// captured by a Stream transport and attached to the job's result, and the transport handles
// uncaught exceptions and rejections (`handleExceptions`, `handleRejections`, as winston's
// README shows) so that a crash during the job ends up in that job's log. When the job is done
// the worker calls `logger.close()`. winston 3.3.3's close() cleared the transports but left the
// logger's 'uncaughtException' and 'unhandledRejection' listeners on `process`, so every closed
// logger (its class, level methods, format, handlers and state) stayed alive
// (winstonjs/winston#1706; fixed in 3.3.4 by #1824: close() unhandles both).
// RATE jobs per second, each fetching a batch of records from a catalog service over loopback
// HTTP, for DURATION_S seconds; then the worker and the service close.
'use strict';
const http = require('node:http');
const { Writable } = require('node:stream');
const winston = require('winston');

const RATE = Number(process.env.RATE || 40);
const DURATION_S = Number(process.env.DURATION_S || 70);

const catalog = http.createServer((req, res) => {
  const batch = Number(req.url.split('/').pop()) || 0;
  const records = Array.from({ length: 20 }, (_, i) => ({
    sku: `SKU-${batch}-${i}`,
    name: `Item ${batch * 20 + i}`,
    price: ((batch * 37 + i * 11) % 50000) / 100,
    stock: (batch + i * 7) % 300,
    tags: ['imported', i % 2 ? 'sale' : 'regular', `cat-${(batch + i) % 40}`],
  }));
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ batch, records }));
});
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function fetchBatch(port, batch) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: `/batches/${batch}`, agent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(JSON.parse(text)));
      })
      .on('error', reject);
  });
}

/** Collects a job's log lines so they can be attached to the job's result. */
function jobLogCapture() {
  const lines = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, lines };
}

const results = new Map(); // job id -> summary, bounded below
const stats = { jobs: 0, records: 0, failed: 0 };

async function runJob(port, jobId) {
  const capture = jobLogCapture();
  const logger = winston.createLogger({
    level: 'debug',
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { jobId, worker: 'importer-1' },
    transports: [new winston.transports.Stream({ stream: capture.stream, handleExceptions: true, handleRejections: true })],
    exitOnError: false,
  });
  try {
    logger.info('job started', { source: 'catalog', batch: jobId });
    const { records } = await fetchBatch(port, jobId);
    logger.debug('batch fetched', { count: records.length });
    let imported = 0;
    for (const record of records) {
      if (record.stock === 0) {
        logger.warn('skipping out-of-stock record', { sku: record.sku });
        continue;
      }
      imported++;
      if (imported % 5 === 0) logger.debug('progress', { imported, lastSku: record.sku });
    }
    logger.info('job finished', { imported, skipped: records.length - imported });
    stats.records += imported;
  } catch (error) {
    logger.error('job failed', { error: error.message });
    stats.failed++;
  } finally {
    logger.close();
  }
  results.set(jobId, { lines: capture.lines.length, lastLine: capture.lines.at(-1) });
  if (results.size > 500) results.delete(results.keys().next().value);
  stats.jobs++;
}

catalog.listen(0, '127.0.0.1', () => {
  const { port } = catalog.address();
  let next = 0;
  const perTick = Math.max(1, Math.round(RATE / 10));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) runJob(port, ++next);
  }, 100);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(() => {
      console.log(`jobs ${stats.jobs}, records ${stats.records}, failed ${stats.failed}, results ${results.size}`);
      agent.destroy();
      catalog.close();
    }, 500);
  }, DURATION_S * 1000);
});
