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
