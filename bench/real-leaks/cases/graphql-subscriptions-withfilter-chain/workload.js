// An order-tracking GraphQL API: merchants' dashboards subscribe over graphql-ws to
// `orderUpdated(merchantId)`, served from a graphql-subscriptions PubSub through `withFilter`
// (the pattern of the graphql-subscriptions README). The checkout side publishes every order
// event of the whole marketplace (RATE per second, over 50 000 merchants), so the filter of a
// dashboard skips almost every event. graphql-subscriptions 1.2.0's withFilter fetched the next
// event from inside the previous one's `then` and returned that promise, so each skipped event
// added a pending promise to a chain that is released only when an event finally passes the
// filter (apollographql/graphql-subscriptions#209, fixed in 1.2.1: one promise per next(), the
// skipped events are retried inside it). DASHBOARDS long-lived subscriptions for DURATION_S
// seconds; then the clients unsubscribe and close, and the server closes.
'use strict';
const http = require('node:http');
const { WebSocketServer, WebSocket } = require('ws');
const { GraphQLSchema, GraphQLObjectType, GraphQLNonNull, GraphQLList, GraphQLString, GraphQLInt, GraphQLFloat, GraphQLID } = require('graphql');
const { PubSub, withFilter } = require('graphql-subscriptions');
const { useServer } = require('graphql-ws/lib/use/ws');
const { createClient } = require('graphql-ws');

const RATE = Number(process.env.RATE || 300);
const DURATION_S = Number(process.env.DURATION_S || 70);
const DASHBOARDS = 20;
const MERCHANTS = 50000;

const pubsub = new PubSub();

const Line = new GraphQLObjectType({
  name: 'Line',
  fields: { sku: { type: new GraphQLNonNull(GraphQLString) }, quantity: { type: new GraphQLNonNull(GraphQLInt) }, price: { type: new GraphQLNonNull(GraphQLFloat) } },
});
const Order = new GraphQLObjectType({
  name: 'Order',
  fields: {
    id: { type: new GraphQLNonNull(GraphQLID) },
    merchantId: { type: new GraphQLNonNull(GraphQLID) },
    status: { type: new GraphQLNonNull(GraphQLString) },
    total: { type: new GraphQLNonNull(GraphQLFloat) },
    lines: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Line))) },
    updatedAt: { type: new GraphQLNonNull(GraphQLString) },
  },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { health: { type: GraphQLString, resolve: () => 'ok' } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      orderUpdated: {
        type: new GraphQLNonNull(Order),
        args: { merchantId: { type: new GraphQLNonNull(GraphQLID) } },
        subscribe: withFilter(
          () => pubsub.asyncIterator('ORDER_UPDATED'),
          (payload, variables) => payload.orderUpdated.merchantId === variables.merchantId,
        ),
      },
    },
  }),
});

const server = http.createServer((req, res) => {
  res.statusCode = 404;
  res.end();
});
const wss = new WebSocketServer({ server, path: '/graphql' });
const serverCleanup = useServer({ schema }, wss);

const STATUSES = ['placed', 'paid', 'packed', 'shipped', 'delivered'];
let seq = 0;

function publishOrderEvent() {
  seq++;
  const merchant = (seq * 7919) % MERCHANTS;
  const lines = Array.from({ length: 1 + (seq % 4) }, (_, i) => ({ sku: `sku-${(seq + i * 31) % 9000}`, quantity: 1 + ((seq + i) % 3), price: ((seq * 13 + i) % 20000) / 100 }));
  pubsub.publish('ORDER_UPDATED', {
    orderUpdated: {
      id: `o-${seq}`,
      merchantId: `m-${merchant}`,
      status: STATUSES[seq % STATUSES.length],
      total: lines.reduce((sum, l) => sum + l.quantity * l.price, 0),
      lines,
      updatedAt: new Date().toISOString(),
    },
  });
}

const stats = { received: 0, published: 0 };

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const dashboards = [];
  for (let i = 0; i < DASHBOARDS; i++) {
    const client = createClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 });
    const unsubscribe = client.subscribe(
      {
        query: 'subscription ($m: ID!) { orderUpdated(merchantId: $m) { id status total lines { sku quantity } } }',
        variables: { m: `m-${(i * 2503 + 11) % MERCHANTS}` },
      },
      { next: () => stats.received++, error: () => {}, complete: () => {} },
    );
    dashboards.push({ client, unsubscribe });
  }
  const perTick = Math.max(1, Math.round(RATE / 20));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) {
      publishOrderEvent();
      stats.published++;
    }
  }, 50);
  setTimeout(async () => {
    clearInterval(ticker);
    for (const { unsubscribe } of dashboards) unsubscribe();
    await Promise.all(dashboards.map(({ client }) => client.dispose()));
    await serverCleanup.dispose();
    wss.close();
    server.close();
    console.log(`published ${stats.published}, received ${stats.received}`);
  }, DURATION_S * 1000);
});
