// A service with many objects: a session store (Map of objects with strings and arrays),
// listeners on a long-lived emitter and closures. It writes one heap snapshot when half
// its sessions exist and one when all do, then exits.
// Usage: node service.mjs <dir> <megabytes of the second snapshot file, roughly>
import { writeHeapSnapshot } from 'node:v8';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';

const [dir = '.', megabytes = '50'] = process.argv.slice(2);
// A session takes about 690 bytes of snapshot text; an idle Node process about 4 MB.
const sessions = Math.max(1000, Math.round(((Number(megabytes) - 4) * 1e6) / 690 / 2));

class Session {
  constructor(id) {
    this.id = id;
    this.user = { name: `user-${id}`, roles: ['reader', id % 7 === 0 ? 'admin' : 'writer'] };
    this.history = [id, id + 1, id + 2];
    this.createdAt = Date.now();
  }
}

const store = new Map();
const bus = new EventEmitter();
bus.setMaxListeners(0);

function grow(from, to) {
  for (let i = from; i < to; i++) {
    const session = new Session(i);
    store.set(`s${i}`, session);
    if (i % 10 === 0) bus.on('logout', () => session.id);
  }
}

grow(0, sessions);
const first = writeHeapSnapshot(join(dir, `old-${megabytes}.heapsnapshot`));
grow(sessions, 2 * sessions);
const second = writeHeapSnapshot(join(dir, `new-${megabytes}.heapsnapshot`));
console.log(JSON.stringify({ first, second, sessions: 2 * sessions }));
