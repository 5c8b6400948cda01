// A small helper module: it keeps a record of every 10th request it sees. Small enough for
// V8 to inline into a hot caller in another file.
const records = [];

export function auditRequest(id) {
  if (id % 10 === 0) records.push({ id, status: 'accepted', at: new Date().toISOString() });
}
