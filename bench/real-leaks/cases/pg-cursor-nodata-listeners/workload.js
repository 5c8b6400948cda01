// An event-ingestion worker with a generic SQL job runner: every statement of a job runs through
// pg-cursor, because the runner does not know in advance whether a statement returns rows (the
// case of brianc/node-pg-cursor#31). Writes (INSERT/UPDATE without RETURNING) go to the primary's
// pool, reports (SELECTs read page by page) to the replica's pool. pg-cursor 2.5.2 listened
// once for 'noData' and once for 'rowDescription' on the pooled connection and removed the
// second only when the first kind came: after every statement that returns no rows its bound
// 'rowDescription' listener stayed on the connection, holding the whole cursor (SQL text, bound
// values, result) until a statement with rows ran on that connection, which on the write pool
// never happens (brianc/node-postgres#2501; fixed in pg-cursor 2.6.0).
// The database is an in-process stand-in speaking the PostgreSQL v3 wire protocol on loopback
// (no real server). RATE events per second for DURATION_S seconds; then the pools, the
// connections and the stand-in close.
'use strict';
const net = require('node:net');
const { Pool } = require('pg');
const Cursor = require('pg-cursor');

const RATE = Number(process.env.RATE || 300);
const DURATION_S = Number(process.env.DURATION_S || 70);

// ---- the stand-in database: just enough of the v3 protocol for pg and pg-cursor ----
function msg(type, body) {
  const out = Buffer.alloc(5 + body.length);
  out.write(type, 0, 'latin1');
  out.writeInt32BE(4 + body.length, 1);
  body.copy(out, 5);
  return out;
}
const cstr = (s) => Buffer.from(`${s}\0`);
const int16 = (n) => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
const int32 = (n) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
const READY = msg('Z', Buffer.from('I'));
const COLUMNS = ['kind', 'events', 'last_seen'];
function rowDescription() {
  const parts = [int16(COLUMNS.length)];
  for (const name of COLUMNS) parts.push(cstr(name), int32(0), int16(0), int32(25), int16(-1), int32(-1), int16(0));
  return msg('T', Buffer.concat(parts));
}
function dataRow(values) {
  const parts = [int16(values.length)];
  for (const v of values) { const b = Buffer.from(String(v)); parts.push(int32(b.length), b); }
  return msg('D', Buffer.concat(parts));
}
const tables = new Map(); // kind -> { events, last_seen }
function runStatement(text) {
  if (/^\s*select/i.test(text)) {
    const rows = [...tables.entries()].slice(0, 25).map(([kind, t]) => [kind, t.events, t.last_seen]);
    return { rows, tag: `SELECT ${rows.length}` };
  }
  const kind = /'([a-z._-]+)'/.exec(text)?.[1] ?? 'misc';
  const t = tables.get(kind) ?? { events: 0, last_seen: '' };
  t.events++;
  t.last_seen = new Date().toISOString();
  tables.set(kind, t);
  return { rows: null, tag: /^\s*insert/i.test(text) ? 'INSERT 0 1' : 'UPDATE 1' };
}
const database = net.createServer((socket) => {
  let buffered = Buffer.alloc(0);
  let started = false;
  let statement = '';
  socket.on('error', () => {});
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    const out = [];
    for (;;) {
      if (!started) {
        if (buffered.length < 8) break;
        const len = buffered.readInt32BE(0);
        if (buffered.length < len) break;
        buffered = buffered.subarray(len);
        started = true;
        out.push(msg('R', int32(0)), msg('K', Buffer.concat([int32(process.pid), int32(7)])), READY);
        continue;
      }
      if (buffered.length < 5) break;
      const type = String.fromCharCode(buffered[0]);
      const len = buffered.readInt32BE(1);
      if (buffered.length < 1 + len) break;
      const body = buffered.subarray(5, 1 + len);
      buffered = buffered.subarray(1 + len);
      if (type === 'P') {
        const nameEnd = body.indexOf(0);
        statement = body.subarray(nameEnd + 1, body.indexOf(0, nameEnd + 1)).toString();
        out.push(msg('1', Buffer.alloc(0)));
      } else if (type === 'B') out.push(msg('2', Buffer.alloc(0)));
      else if (type === 'D') out.push(/^\s*select/i.test(statement) ? rowDescription() : msg('n', Buffer.alloc(0)));
      else if (type === 'E') {
        const result = runStatement(statement);
        if (result.rows) for (const row of result.rows) out.push(dataRow(row));
        out.push(msg('C', cstr(result.tag)));
      } else if (type === 'C') out.push(msg('3', Buffer.alloc(0)));
      else if (type === 'S') out.push(READY);
      else if (type === 'Q') {
        const result = runStatement(body.subarray(0, body.length - 1).toString());
        if (result.rows) out.push(rowDescription(), ...result.rows.map(dataRow));
        out.push(msg('C', cstr(result.tag)), READY);
      } else if (type === 'X') socket.end();
      // 'H' (flush): every answer is written at once anyway
    }
    if (out.length) socket.write(Buffer.concat(out));
  });
});

// ---- the worker ----
/** Runs one statement through a cursor and reads it to the end, whatever it is. */
async function runThroughCursor(pool, text, values) {
  const client = await pool.connect();
  try {
    const cursor = client.query(new Cursor(text, values));
    const rows = [];
    for (;;) {
      const page = await new Promise((resolve, reject) => cursor.read(100, (err, r) => (err ? reject(err) : resolve(r))));
      rows.push(...page);
      if (page.length < 100) break;
    }
    await new Promise((resolve) => cursor.close(resolve));
    return rows;
  } finally {
    client.release();
  }
}

const kinds = ['page.view', 'cart.add', 'cart.remove', 'checkout.start', 'checkout.done', 'search', 'login', 'logout'];
const stats = { written: 0, reports: 0, failed: 0 };

async function ingest(primary, n) {
  const kind = kinds[n % kinds.length];
  const event = {
    id: `ev-${n}`,
    kind,
    user: `u-${(n * 7919) % 50000}`,
    at: new Date().toISOString(),
    props: { path: `/p/${n % 900}`, ref: n % 3 ? 'organic' : 'campaign', items: (n % 5) + 1 },
  };
  try {
    await runThroughCursor(primary, `INSERT INTO events (id, kind, user_id, at, props) VALUES ($1, '${kind}', $2, $3, $4)`, [event.id, event.user, event.at, JSON.stringify(event.props)]);
    await runThroughCursor(primary, `UPDATE counters SET events = events + 1, last_seen = $1 WHERE kind = '${kind}'`, [event.at]);
    stats.written++;
  } catch {
    stats.failed++;
  }
}

database.listen(0, '127.0.0.1', () => {
  const { port } = database.address();
  const config = { host: '127.0.0.1', port, user: 'ingest', database: 'events', password: 'x' };
  const primary = new Pool({ ...config, max: 4 });
  const replica = new Pool({ ...config, max: 2 });
  let n = 0;
  const perTick = Math.max(1, Math.round(RATE / 10));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) ingest(primary, ++n);
  }, 100);
  const reports = setInterval(() => {
    runThroughCursor(replica, 'SELECT kind, events, last_seen FROM counters ORDER BY events DESC', [])
      .then(() => stats.reports++, () => stats.failed++);
  }, 1000);
  setTimeout(() => {
    clearInterval(ticker);
    clearInterval(reports);
    setTimeout(async () => {
      console.log(`events written ${stats.written}, reports ${stats.reports}, failed ${stats.failed}`);
      await Promise.all([primary.end(), replica.end()]);
      database.close();
    }, 500);
  }, DURATION_S * 1000);
});
