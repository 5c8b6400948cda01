// A notifications API over graphql-ws: a browser tab connects, and subscribes to its inbox;
// the subscribe resolver first asks the accounts service whether the user may read that inbox
// (a loopback HTTP call of 30-120 ms), then returns a graphql-subscriptions PubSub iterator.
// Many tabs are closed or navigated away within a few dozen milliseconds (bounces), before
// the check answers. graphql-ws 5.14.3 kept the closed connection's subscription entries, so a
// subscribe resolver that settled after the close still registered its iterator, which nobody
// ever returned: the iterator, its PubSub listener and the operation's execution context (the
// connection's context with the user's session) stay alive (enisdenjo/graphql-ws#532, fixed
// in 5.15.0 by #534: closing deletes the entries, so a late iterator is returned at once).
// RATE connections per second for DURATION_S seconds, then the clients, the server and the
// accounts service close.
'use strict';
const http = require('node:http');
const { WebSocketServer, WebSocket } = require('ws');
const { GraphQLSchema, GraphQLObjectType, GraphQLNonNull, GraphQLString, GraphQLID, GraphQLInt } = require('graphql');
const { PubSub } = require('graphql-subscriptions');
const { useServer } = require('graphql-ws/lib/use/ws');
const { createClient } = require('graphql-ws');

const RATE = Number(process.env.RATE || 60);
const DURATION_S = Number(process.env.DURATION_S || 70);
const USERS = 50000;

// The accounts service: may this user read this inbox?
const accounts = http.createServer((req, res) => {
  const [, , user, inbox] = req.url.split('/');
  const seed = Number(user.slice(1)) || 0;
  const body = JSON.stringify({ user, inbox, allowed: true, roles: ['reader', seed % 7 ? 'member' : 'admin'], checkedAt: new Date().toISOString() });
  setTimeout(() => {
    res.setHeader('content-type', 'application/json');
    res.end(body);
  }, 30 + (seed % 90));
});
const accountsAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
let accountsPort = 0;

function checkAccess(user, inbox) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: accountsPort, path: `/access/${user}/${inbox}`, agent: accountsAgent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(JSON.parse(text)));
      })
      .on('error', reject);
  });
}

const pubsub = new PubSub();
const Notification = new GraphQLObjectType({
  name: 'Notification',
  fields: {
    id: { type: new GraphQLNonNull(GraphQLID) },
    inbox: { type: new GraphQLNonNull(GraphQLString) },
    title: { type: new GraphQLNonNull(GraphQLString) },
    unread: { type: new GraphQLNonNull(GraphQLInt) },
  },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { health: { type: GraphQLString, resolve: () => 'ok' } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      notifications: {
        type: new GraphQLNonNull(Notification),
        args: { inbox: { type: new GraphQLNonNull(GraphQLString) } },
        subscribe: async (_root, { inbox }, context) => {
          const access = await checkAccess(context.user, inbox);
          if (!access.allowed) throw new Error('forbidden');
          context.session.roles = access.roles;
          return pubsub.asyncIterator(`inbox:${inbox}`);
        },
      },
    },
  }),
});

const server = http.createServer((req, res) => {
  res.statusCode = 404;
  res.end();
});
const wss = new WebSocketServer({ server, path: '/graphql' });
const serverCleanup = useServer(
  {
    schema,
    context: (ctx) => {
      const user = ctx.connectionParams.user;
      return { user, session: { user, agent: ctx.extra.request.headers['user-agent'] || 'tab', openedAt: new Date().toISOString(), preferences: { digest: 'daily', locale: 'en-GB', muted: [] } } };
    },
  },
  wss,
);

const stats = { sessions: 0, bounced: 0, received: 0, errors: 0 };
const open = new Set();

function openSession(port, n) {
  stats.sessions++;
  const user = `u${(n * 7919) % USERS}`;
  const client = createClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, connectionParams: { user }, lazy: true, retryAttempts: 0 });
  open.add(client);
  const bounce = n % 10 < 4;
  const close = () => {
    if (!open.delete(client)) return;
    client.dispose();
  };
  client.on('connected', () => {
    if (bounce) {
      stats.bounced++;
      setTimeout(close, 5 + (n % 20));
    } else {
      setTimeout(close, 800 + (n % 1200));
    }
  });
  client.subscribe(
    { query: 'subscription ($i: String!) { notifications(inbox: $i) { id title unread } }', variables: { i: user } },
    { next: () => stats.received++, error: () => stats.errors++, complete: () => {} },
  );
}

let seq = 0;
function publishNotifications() {
  for (let i = 0; i < 10; i++) {
    seq++;
    const inbox = `u${(seq * 104729) % USERS}`;
    pubsub.publish(`inbox:${inbox}`, { notifications: { id: `n-${seq}`, inbox, title: `Order ${seq} shipped`, unread: seq % 9 } });
  }
}

accounts.listen(0, '127.0.0.1', () => {
  accountsPort = accounts.address().port;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    let n = 0;
    const perTick = Math.max(1, Math.round(RATE / 10));
    const ticker = setInterval(() => {
      for (let i = 0; i < perTick; i++) openSession(port, ++n);
    }, 100);
    const publisher = setInterval(publishNotifications, 100);
    setTimeout(() => {
      clearInterval(ticker);
      setTimeout(async () => {
        clearInterval(publisher);
        for (const client of [...open]) {
          open.delete(client);
          await client.dispose();
        }
        await serverCleanup.dispose();
        wss.close();
        server.close();
        accountsAgent.destroy();
        accounts.close();
        console.log(`sessions ${stats.sessions}, bounced ${stats.bounced}, received ${stats.received}, errors ${stats.errors}`);
      }, 2500);
    }, DURATION_S * 1000);
  });
});
