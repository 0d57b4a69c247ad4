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
  assert.deepEqual(names, ['kCreateSubscription', 'kCustomersQuery', 'kOrdersQuery',
    'kProductsQuery', 'kShopQuery', 'kSubscriptionsQuery']);
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
test('the simulator answers every reconciler query in the schema\'s shapes', async () => {
  assert.ok(simBinary, 'SHOPSTREAM_SIM_BINARY names the shopify-sim binary (ctest sets it)');
  const { spawn } = await import('node:child_process');
  const { mkdtempSync, existsSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { execute } = require('graphql');
  const dir = mkdtempSync(join(tmpdir(), 'sim-'));
  const ready = join(dir, 'ready.json');
  const sim = spawn(simBinary, ['--seed', '21', '--orders', '200', '--customers', '40', '--products', '15',
    '--bucket', '1000000', '--restore', '1000000', '--ready-file', ready], { stdio: 'ignore' });
  try {
    const deadline = Date.now() + 30000;
    while (!existsSync(ready)) {
      assert.ok(Date.now() < deadline, 'the simulator did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = JSON.parse(readFileSync(ready, 'utf8')).admin_api_url + '/admin/api/2026-10/graphql.json';
    const cases = [
      ['kShopQuery', {}],
      ['kOrdersQuery', { first: 3 }],
      ['kOrdersQuery', { first: 3, query: "updated_at:>='2026-11-05T00:00:00Z'" }],
      ['kProductsQuery', { first: 9 }],
      // A node the list cut short, read again alone with the larger nested page.
      ['kOrdersQuery', { first: 1, query: 'id:5300000002', lineItems: 100 }],
      ['kProductsQuery', { first: 1, query: 'id:7100000003', variants: 250 }],
      ['kCustomersQuery', { first: 40 }],
      ['kCreateSubscription', { topic: 'ORDERS_CREATE', webhookSubscription: { callbackUrl: 'https://example.com/hooks', format: 'JSON' } }],
      ['kSubscriptionsQuery', { first: 100 }],
    ];
    let orders = 0;
    for (const [name, variables] of cases) {
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
      if (name === 'kOrdersQuery') orders += answer.data.orders.edges.length;
      if (variables.query?.startsWith('id:')) {  // exactly the one asked for
        const edges = Object.values(answer.data)[0].edges;
        assert.equal(edges.length, 1, `${name} ${variables.query}`);
        assert.equal(edges[0].node.legacyResourceId, variables.query.slice(3));
      }
    }
    assert.ok(orders >= 4, 'the order pages were not empty');
  } finally {
    sim.kill('SIGTERM');
  }
});
