// Writes tests/vectors/hmac_sha256.tsv with Node's crypto: an implementation independent
// of ours (OpenSSL via C++). Columns: name, secret (hex), body (hex), base64 signature.
// Run: node tools/gen-hmac-vectors.mjs > tests/vectors/hmac_sha256.tsv
import { createHmac } from 'node:crypto';

const cases = [
  ['ascii_order', 'hush', '{"id":820982911946154508,"email":"jon@example.com","total_price":"404.95"}'],
  ['empty_body', 'hush', ''],
  ['non_ascii_names', 'hush', '{"first_name":"Zoë","last_name":"Müller-Łukasz","city":"São Paulo"}'],
  ['cjk_and_emoji', 'hush', '{"title":"東京タワー 🗼 T-shirt","note":"ありがとう 🙏"}'],
  ['escaped_slashes', 'hush', '{"src":"https:\\/\\/cdn.shopify.com\\/s\\/files\\/1\\/a.jpg"}'],
  ['unescaped_slashes', 'hush', '{"src":"https://cdn.shopify.com/s/files/1/a.jpg"}'],
  ['escaped_unicode', 'hush', '{"name":"Zo\\u00eb \\u2603"}'],
  ['whitespace_pretty', 'hush', '{\n  "id": 1,\n  "tags": "a, b"\n}\n'],
  ['secret_with_symbols', 'shpss_9f!@#$%^&*()_+=-{}[]|:;<>,.?/~`', '{"id":2}'],
  ['long_secret', 'k'.repeat(200), '{"id":3}'],
  ['non_ascii_secret', 'clé-secrète-✓', '{"id":4}'],
  ['large_body', 'hush', JSON.stringify({ line_items: Array.from({ length: 400 }, (_, i) => ({ id: i, title: `Item ${i} — ünïcödé`, price: `${i}.99` })) })],
];

for (const [name, secret, body] of cases) {
  const s = Buffer.from(secret, 'utf8');
  const b = Buffer.from(body, 'utf8');
  const sig = createHmac('sha256', s).update(b).digest('base64');
  process.stdout.write(`${name}\t${s.toString('hex')}\t${b.toString('hex')}\t${sig}\n`);
}
