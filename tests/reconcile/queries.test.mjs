// Every GraphQL document the reconciler sends (ingress/reconcile/queries.hpp) validates
// against Shopify's own Admin API schema (2025-01 introspection, tests/fixtures/shopify/), using
// graphql-js, the reference implementation: field names, arguments, types, variables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'browser', 'package.json'));
const { buildClientSchema, parse, validate } = require('graphql');

const schemaPath = process.env.SHOPIFY_ADMIN_SCHEMA ??
  join(here, '..', 'fixtures', 'shopify', 'admin_schema_2025-01.json.gz');
const introspection = JSON.parse(gunzipSync(readFileSync(schemaPath)).toString('utf8'));
const schema = buildClientSchema(introspection.data ?? introspection);

const source = readFileSync(join(here, '..', '..', 'ingress', 'reconcile', 'queries.hpp'), 'utf8');
const documents = [...source.matchAll(/constexpr std::string_view (k\w+) =\s*R"\(([\s\S]*?)\)";/g)]
  .map(([, name, text]) => ({ name, text }));

test('queries.hpp holds the documents the reconciler sends', () => {
  const names = documents.map((d) => d.name).sort();
  assert.deepEqual(names, ['kCreateSubscription', 'kCustomersQuery', 'kOrderLineItemsQuery',
    'kOrderRefundIdsQuery', 'kOrderRefundsQuery', 'kOrdersQuery', 'kProductVariantsQuery', 'kProductsQuery',
    'kRefundLineItemsQuery', 'kRefundQuery', 'kShopQuery', 'kSubscriptionsQuery']);
});

for (const { name, text } of documents) {
  test(`${name} validates against Shopify's Admin API schema`, () => {
    const errors = validate(schema, parse(text));
    assert.deepEqual(errors.map((e) => e.message), []);
  });
}

test('a document with a field Shopify does not have is rejected (the check can fail)', () => {
  const errors = validate(schema, parse('query { orders(first: 1) { edges { node { totalPriceWithMagic } } } }'));
  assert.equal(errors.length, 1);
});

// The simulator's answers have the shapes the schema describes: each answer, executed
// back through graphql-js as the root value of the same query, must come out unchanged
// and without errors (non-null fields present, enum values Shopify has, lists and
// connections where the schema has them, union members named by __typename).
const simBinary = process.env.SHOPSTREAM_SIM_BINARY;

// Starts the simulator with `args`, runs `body(ask)` and stops it; `ask(name, variables)`
// sends the document `name`, checks the answer's shape, and returns its data.
async function withSimulator(args, body) {
  assert.ok(simBinary, 'SHOPSTREAM_SIM_BINARY names the shopify-sim binary (ctest sets it)');
  const { spawn } = await import('node:child_process');
  const { mkdtempSync, existsSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { execute } = require('graphql');
  const dir = mkdtempSync(join(tmpdir(), 'sim-'));
  const ready = join(dir, 'ready.json');
  const sim = spawn(simBinary, [...args, '--bucket', '1000000', '--restore', '1000000',
    '--ready-file', ready], { stdio: 'ignore' });
  try {
    const deadline = Date.now() + 30000;
    while (!existsSync(ready)) {
      assert.ok(Date.now() < deadline, 'the simulator did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = JSON.parse(readFileSync(ready, 'utf8')).admin_api_url + '/admin/api/2026-10/graphql.json';
    const ask = async (name, variables) => {
      const text = documents.find((d) => d.name === name).text;
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': 'shpat_sim_1' },
        body: JSON.stringify({ query: text, variables }),
      });
      assert.equal(res.status, 200, name);
      const answer = await res.json();
      assert.equal(answer.errors, undefined, `${name}: ${JSON.stringify(answer.errors)}`);
      assert.ok(answer.extensions.cost.throttleStatus.restoreRate > 0, name);
      const again = execute({ schema, document: parse(text), rootValue: answer.data, variableValues: variables });
      assert.deepEqual((again.errors ?? []).map((e) => `${e.path?.join('.')}: ${e.message}`), [], name);
      assert.deepEqual(JSON.parse(JSON.stringify(again.data)), answer.data, name);
      return answer.data;
    };
    await body(ask);
  } finally {
    sim.kill('SIGTERM');
  }
}

test('the simulator answers every reconciler query in the schema\'s shapes', async () => {
  await withSimulator(['--seed', '21', '--orders', '200', '--customers', '40', '--products', '15'], async (ask) => {
    const cases = [
      ['kShopQuery', {}],
      ['kOrdersQuery', { first: 3 }],
      ['kOrdersQuery', { first: 3, query: "updated_at:>='2026-11-05T00:00:00Z'" }],
      ['kProductsQuery', { first: 9 }],
      ['kCustomersQuery', { first: 40 }],
      ['kCreateSubscription', { topic: 'ORDERS_CREATE', webhookSubscription: { callbackUrl: 'https://example.com/hooks', format: 'JSON' } }],
      ['kSubscriptionsQuery', { first: 100 }],
    ];
    let orders = 0;
    for (const [name, variables] of cases) {
      const data = await ask(name, variables);
      if (name === 'kOrdersQuery') orders += data.orders.edges.length;
    }
    assert.ok(orders >= 4, 'the order pages were not empty');
  });
});

// A nested list a list page cut short is read on from its endCursor by the parent's id
// (ingress/reconcile/nested.cpp): those documents, and the list pages' nested cursors.
test('the simulator answers the documents that read nested lists on', async () => {
  await withSimulator(['--seed', '22', '--orders', '120', '--customers', '30', '--products', '30',
    '--large', '0.4'], async (ask) => {
    const cut = {};  // the first node of each kind with a next page
    for (const [name, conn, first] of [['kOrdersQuery', 'orders', 3], ['kProductsQuery', 'products', 9]]) {
      let after = null;
      for (;;) {
        const data = await ask(name, { first, after });
        for (const { node } of data[conn].edges) {
          if (node.lineItems?.pageInfo.hasNextPage) cut.order ??= node;
          if (node.variants?.pageInfo.hasNextPage) cut.product ??= node;
          for (const r of node.refunds ?? [])
            if (r.refundLineItems.pageInfo.hasNextPage) cut.refund ??= r;
          if ((node.refunds?.length ?? 0) >= 5) cut.refunds ??= node;
        }
        if (!data[conn].pageInfo.hasNextPage) break;
        after = data[conn].pageInfo.endCursor;
      }
    }
    const reads = [
      ['kOrderLineItemsQuery', 'order', 'Order', cut.order, 'lineItems', 142],
      ['kRefundLineItemsQuery', 'refund', 'Refund', cut.refund, 'refundLineItems', 250],
      ['kProductVariantsQuery', 'product', 'Product', cut.product, 'variants', 250],
    ];
    for (const [name, root, type, parent, key, first] of reads) {
      assert.ok(parent, `the store has a ${root} whose ${key} a list page cut short`);
      const seen = parent[key].edges.length;
      const data = await ask(name, {
        id: `gid://shopify/${type}/${parent.legacyResourceId}`, first,
        after: parent[key].pageInfo.endCursor,
      });
      const rest = data[root][key];
      assert.ok(rest.edges.length > 0, name);
      // The rest starts after what the list page held: no item twice.
      const ids = (edges) => edges.map(({ node }) => JSON.stringify(node));
      if (key !== 'refundLineItems')
        for (const id of ids(rest.edges)) assert.ok(!ids(parent[key].edges).includes(id), name);
      assert.ok(seen + rest.edges.length > (key === 'variants' ? 50 : key === 'lineItems' ? 20 : 10), name);
    }
    // An order whose page held as many refunds as it asks for (5): read again, all of them.
    assert.ok(cut.refunds, 'the store has an order with 5 refunds or more');
    const again = await ask('kOrderRefundsQuery', { id: `gid://shopify/Order/${cut.refunds.legacyResourceId}`, first: 30 });
    assert.ok(again.order.refunds.length > 5, 'more refunds than a list page reads');
    assert.deepEqual(again.order.refunds.slice(0, 5), cut.refunds.refunds);
    const gone = await ask('kOrderLineItemsQuery', { id: 'gid://shopify/Order/1', first: 10, after: null });
    assert.equal(gone.order, null);
  });
});

// An order with more refunds than one query reads again (30): the ids of all of them,
// then each refund by its id.
test('the simulator answers the documents that read refunds by id', async () => {
  await withSimulator(['--seed', '22', '--orders', '120', '--customers', '30', '--products', '30',
    '--large', '0.4', '--many-refunds', '1'], async (ask) => {
    let listed = null;
    let after = null;
    while (!listed) {
      const data = await ask('kOrdersQuery', { first: 3, after });
      for (const { node } of data.orders.edges) {
        if ((node.refunds?.length ?? 0) < 5 || listed) continue;
        const ids = await ask('kOrderRefundIdsQuery', { id: `gid://shopify/Order/${node.legacyResourceId}`, first: 250 });
        if (ids.order.refunds.length > 30) listed = ids.order.refunds;
      }
      if (!data.orders.pageInfo.hasNextPage) break;
      after = data.orders.pageInfo.endCursor;
    }
    assert.ok(listed, 'the store has an order with more than 30 refunds');
    assert.deepEqual(Object.keys(listed[0]), ['legacyResourceId']);
    const one = await ask('kRefundQuery', { id: `gid://shopify/Refund/${listed[31].legacyResourceId}` });
    assert.equal(one.refund.legacyResourceId, listed[31].legacyResourceId);
    assert.ok(one.refund.refundLineItems.edges.length > 0);
    const none = await ask('kRefundQuery', { id: 'gid://shopify/Refund/1' });
    assert.equal(none.refund, null);
  });
});

// The documents that read a nested list on select its items exactly as the list pages do:
// the items of one whole list are then alike, whichever page they came from.
test('the nested documents select items as the list documents do', () => {
  // The selection of `key`'s field: the braces after its arguments.
  const selection = (text, key) => {
    const at = text.indexOf(`${key}(`);
    assert.ok(at >= 0, key);
    const open = text.indexOf('{', at);
    let depth = 0;
    for (let i = open; i < text.length; i++) {
      if (text[i] === '{') depth++;
      if (text[i] === '}' && --depth === 0) return text.slice(open, i + 1).replace(/\s+/g, ' ');
    }
    return assert.fail(`${key}: unbalanced`);
  };
  const text = (name) => documents.find((d) => d.name === name).text;
  for (const [nested, list, key, listKey = key] of [['kOrderLineItemsQuery', 'kOrdersQuery', 'lineItems'],
    ['kOrderRefundsQuery', 'kOrdersQuery', 'refunds'],
    ['kRefundQuery', 'kOrdersQuery', 'refund', 'refunds'],
    ['kRefundLineItemsQuery', 'kOrdersQuery', 'refundLineItems'],
    ['kProductVariantsQuery', 'kProductsQuery', 'variants']])
    assert.equal(selection(text(nested), key), selection(text(list), listKey), `${nested} ${key}`);
  assert.notEqual(selection(text('kProductVariantsQuery'), 'variants'), selection(text('kOrdersQuery'), 'lineItems'));
});
