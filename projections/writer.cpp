#include "projections/writer.hpp"

#include <map>

namespace shopstream::projections {
namespace {

using Column = PgArray;

// Empty text is NULL: payload fields that were absent or null decode to "".
std::optional<std::string_view> opt(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string_view>(s);
}
std::optional<std::string_view> opt(const std::optional<std::int64_t>& v, std::string& buf) {
  if (!v) return std::nullopt;
  buf = std::to_string(*v);
  return std::string_view(buf);
}
std::int64_t num(std::int64_t v) {
  return v;
}
std::optional<std::string_view> local_date(const std::string& ts) {
  // The date part of an RFC 3339 time is the calendar date at its own UTC offset.
  return ts.size() >= 10 ? std::optional<std::string_view>(std::string_view(ts).substr(0, 10))
                         : std::nullopt;
}

// PII is written only while neither the customer, nor the shop, has been redacted.
constexpr const char* kNotRedacted = R"sql(
  NOT EXISTS (SELECT 1 FROM shopstream.shops s WHERE s.shop_domain = i.shop_domain AND s.redacted_at IS NOT NULL))sql";

const std::string kUpsertOrders = std::string(R"sql(
WITH i AS (
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[],
                       $7::numeric[], $8::numeric[], $9::numeric[], $10::numeric[], $11::numeric[],
                       $12::text[], $13::text[], $14::boolean[], $15::timestamptz[], $16::date[],
                       $17::timestamptz[], $18::timestamptz[])
    AS t(shop_domain, id, name, email, customer_id, currency, subtotal_price, total_price,
         total_tax, total_discounts, total_shipping, financial_status, fulfillment_status, test,
         created_at, local_date, updated_at, cancelled_at))
INSERT INTO shopstream.orders AS o (shop_domain, id, name, email, customer_id, currency,
    subtotal_price, total_price, total_tax, total_discounts, total_shipping, financial_status,
    fulfillment_status, test, created_at, local_date, updated_at, cancelled_at)
SELECT i.shop_domain, i.id, i.name,
       CASE WHEN )sql") + kNotRedacted +
                                  R"sql(
             AND NOT EXISTS (SELECT 1 FROM shopstream.customers c WHERE c.shop_domain = i.shop_domain
                             AND c.id = i.customer_id AND c.redacted_at IS NOT NULL)
            THEN i.email END,
       i.customer_id, i.currency, i.subtotal_price, i.total_price, i.total_tax, i.total_discounts,
       i.total_shipping, i.financial_status, i.fulfillment_status, i.test, i.created_at,
       i.local_date, i.updated_at, i.cancelled_at
FROM i
ON CONFLICT (shop_domain, id) DO UPDATE SET
  name = EXCLUDED.name,
  email = CASE WHEN o.redacted_at IS NULL THEN EXCLUDED.email END,
  customer_id = EXCLUDED.customer_id, currency = EXCLUDED.currency,
  subtotal_price = EXCLUDED.subtotal_price, total_price = EXCLUDED.total_price,
  total_tax = EXCLUDED.total_tax, total_discounts = EXCLUDED.total_discounts,
  total_shipping = EXCLUDED.total_shipping, financial_status = EXCLUDED.financial_status,
  fulfillment_status = EXCLUDED.fulfillment_status, test = EXCLUDED.test,
  created_at = coalesce(EXCLUDED.created_at, o.created_at),
  local_date = coalesce(EXCLUDED.local_date, o.local_date),
  updated_at = EXCLUDED.updated_at, cancelled_at = EXCLUDED.cancelled_at
WHERE o.updated_at IS NULL OR EXCLUDED.updated_at >= o.updated_at
RETURNING o.shop_domain, o.id, (o.xmax = 0))sql";

constexpr const char* kDeleteLineItems = R"sql(
DELETE FROM shopstream.order_line_items li
USING unnest($1::text[], $2::bigint[]) AS w(shop_domain, order_id)
WHERE li.shop_domain = w.shop_domain AND li.order_id = w.order_id)sql";

// Plain INSERT: the order's previous items were just deleted, and an item id belongs to
// one order, so nothing can conflict (an anomaly fails the batch, and the per-event
// fallback deadletters just that event). Cheaper than ON CONFLICT's speculative insert.
constexpr const char* kInsertLineItems = R"sql(
INSERT INTO shopstream.order_line_items (shop_domain, id, order_id, product_id, variant_id,
    title, sku, quantity, price, total_discount)
SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[],
                     $6::text[], $7::text[], $8::integer[], $9::numeric[], $10::numeric[]))sql";

constexpr const char* kUpsertProducts = R"sql(
INSERT INTO shopstream.products AS p (shop_domain, id, title, handle, vendor, product_type,
    status, created_at, updated_at)
SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::timestamptz[], $9::timestamptz[])
ON CONFLICT (shop_domain, id) DO UPDATE SET title = EXCLUDED.title, handle = EXCLUDED.handle,
  vendor = EXCLUDED.vendor, product_type = EXCLUDED.product_type, status = EXCLUDED.status,
  created_at = coalesce(EXCLUDED.created_at, p.created_at), updated_at = EXCLUDED.updated_at
WHERE p.updated_at IS NULL OR EXCLUDED.updated_at >= p.updated_at
RETURNING p.shop_domain, p.id, (p.xmax = 0))sql";

constexpr const char* kDeleteVariants = R"sql(
DELETE FROM shopstream.product_variants v
USING unnest($1::text[], $2::bigint[]) AS w(shop_domain, product_id)
WHERE v.shop_domain = w.shop_domain AND v.product_id = w.product_id)sql";

constexpr const char* kInsertVariants = R"sql(
INSERT INTO shopstream.product_variants (shop_domain, id, product_id, title, sku, price,
    inventory_quantity, inventory_item_id, updated_at)
SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[],
                     $6::numeric[], $7::integer[], $8::bigint[], $9::timestamptz[]))sql";

const std::string kUpsertCustomers = std::string(R"sql(
WITH i AS (
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
                       $7::text[], $8::timestamptz[], $9::timestamptz[])
    AS t(shop_domain, id, email, first_name, last_name, phone, state, created_at, updated_at))
INSERT INTO shopstream.customers AS c (shop_domain, id, email, first_name, last_name, phone,
    state, created_at, updated_at)
SELECT i.shop_domain, i.id,
       CASE WHEN )sql") + kNotRedacted +
                                     R"sql( THEN i.email END,
       CASE WHEN )sql" + kNotRedacted +
                                     R"sql( THEN i.first_name END,
       CASE WHEN )sql" + kNotRedacted +
                                     R"sql( THEN i.last_name END,
       CASE WHEN )sql" + kNotRedacted +
                                     R"sql( THEN i.phone END,
       i.state, i.created_at, i.updated_at
FROM i
ON CONFLICT (shop_domain, id) DO UPDATE SET
  email = CASE WHEN c.redacted_at IS NULL THEN EXCLUDED.email END,
  first_name = CASE WHEN c.redacted_at IS NULL THEN EXCLUDED.first_name END,
  last_name = CASE WHEN c.redacted_at IS NULL THEN EXCLUDED.last_name END,
  phone = CASE WHEN c.redacted_at IS NULL THEN EXCLUDED.phone END,
  state = EXCLUDED.state, created_at = coalesce(EXCLUDED.created_at, c.created_at),
  updated_at = EXCLUDED.updated_at
WHERE c.updated_at IS NULL OR EXCLUDED.updated_at >= c.updated_at
RETURNING c.shop_domain, c.id, (c.xmax = 0))sql";

constexpr const char* kInsertRefunds = R"sql(
INSERT INTO shopstream.refunds (shop_domain, id, order_id, created_at, local_date, amount)
SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::timestamptz[], $5::date[],
                     $6::numeric[])
ON CONFLICT (shop_domain, id) DO NOTHING
RETURNING id)sql";

// Deletes are soft and final: the earliest delete time is kept, and a row that does not
// exist yet gets a tombstone, so a late create or update cannot bring it back.
std::string soft_delete_sql(const char* table) {
  return std::string("INSERT INTO shopstream.") + table +
         R"sql( AS t (shop_domain, id, deleted_at)
SELECT * FROM unnest($1::text[], $2::bigint[], $3::timestamptz[])
ON CONFLICT (shop_domain, id) DO UPDATE
  SET deleted_at = LEAST(coalesce(t.deleted_at, EXCLUDED.deleted_at), EXCLUDED.deleted_at))sql";
}

constexpr const char* kRedactCustomer = R"sql(
INSERT INTO shopstream.customers AS c (shop_domain, id, redacted_at) VALUES ($1, $2, $3)
ON CONFLICT (shop_domain, id) DO UPDATE SET email = NULL, first_name = NULL, last_name = NULL,
  phone = NULL, redacted_at = coalesce(c.redacted_at, EXCLUDED.redacted_at))sql";

constexpr const char* kRedactOrders = R"sql(
WITH listed AS (SELECT unnest($4::bigint[]) AS id)
INSERT INTO shopstream.orders AS o (shop_domain, id, redacted_at)
SELECT $1, id, $3::timestamptz FROM listed
UNION SELECT shop_domain, id, $3::timestamptz FROM shopstream.orders
      WHERE shop_domain = $1 AND customer_id = $2
ON CONFLICT (shop_domain, id) DO UPDATE SET email = NULL,
  redacted_at = coalesce(o.redacted_at, EXCLUDED.redacted_at))sql";

constexpr const char* kRedactShop = R"sql(
WITH s AS (
  INSERT INTO shopstream.shops AS s (shop_domain, redacted_at) VALUES ($1, $2)
  ON CONFLICT (shop_domain) DO UPDATE SET redacted_at = coalesce(s.redacted_at, EXCLUDED.redacted_at)
  RETURNING 1),
c AS (
  UPDATE shopstream.customers SET email = NULL, first_name = NULL, last_name = NULL, phone = NULL,
    redacted_at = coalesce(redacted_at, $2) WHERE shop_domain = $1 RETURNING 1)
UPDATE shopstream.orders SET email = NULL, redacted_at = coalesce(redacted_at, $2)
WHERE shop_domain = $1)sql";

constexpr const char* kInsertDataRequest = R"sql(
INSERT INTO shopstream.data_requests (shop_domain, id, customer_id, orders_requested, received_at)
VALUES ($1, $2, NULLIF($3, '')::bigint, $4::bigint[], $5) ON CONFLICT (shop_domain, id) DO NOTHING)sql";

constexpr const char* kUninstall = R"sql(
INSERT INTO shopstream.shops AS s (shop_domain, uninstalled_at) VALUES ($1, $2)
ON CONFLICT (shop_domain) DO UPDATE
  SET uninstalled_at = GREATEST(s.uninstalled_at, EXCLUDED.uninstalled_at))sql";

// Every shop seen is recorded; installed_at is the earliest event seen from it. Two
// statements, so that the common case (nothing to change) takes no row lock: batches of
// different partitions of the same shop are applied in parallel.
constexpr const char* kInsertShops = R"sql(
INSERT INTO shopstream.shops (shop_domain, installed_at)
SELECT * FROM unnest($1::text[], $2::timestamptz[]) ON CONFLICT (shop_domain) DO NOTHING)sql";

constexpr const char* kEarlierInstall = R"sql(
UPDATE shopstream.shops s SET installed_at = i.installed_at
FROM unnest($1::text[], $2::timestamptz[]) AS i(shop_domain, installed_at)
WHERE s.shop_domain = i.shop_domain
  AND (s.installed_at IS NULL OR i.installed_at < s.installed_at))sql";

// The rows an upsert wrote, each with whether it was a fresh insert: an entity whose row
// did not exist has no child rows (line items, variants) to delete. Children are written
// only after their parent's upsert wins, and parent rows are never removed.
std::map<EntityKey, bool> winners(const pqxx::result& r) {
  std::map<EntityKey, bool> out;
  for (auto row : r)
    out.emplace(EntityKey(row[0].as<std::string>(), row[1].as<std::int64_t>()), row[2].as<bool>());
  return out;
}

template <typename... Cols>
pqxx::result exec(pqxx::transaction_base& tx, const std::string& sql, const Cols&... cols) {
  return tx.exec_params(sql, cols.str()...);
}

}  // namespace

void PgArray::push_back(std::optional<std::string_view> v) {
  sep();
  if (!v) {
    text_ += "NULL";
    return;
  }
  text_.push_back('"');
  for (char c : *v) {
    if (c == '"' || c == '\\') text_.push_back('\\');
    text_.push_back(c);
  }
  text_.push_back('"');
}

void PgArray::emplace_back(std::int64_t v) {
  sep();
  text_ += std::to_string(v);
}

void apply_plan(pqxx::transaction_base& tx, const Plan& plan, Outcomes& outcomes) {
  std::string buf;  // for ids written as text
  if (!plan.shops_seen.empty()) {
    Column shop, when;
    for (const auto& [s, t] : plan.shops_seen) {
      shop.emplace_back(s);
      when.emplace_back(t);
    }
    exec(tx, kInsertShops, shop, when);
    exec(tx, kEarlierInstall, shop, when);
  }
  // Compliance first within the batch is not needed for correctness (the upserts check
  // redaction state), but it means a redaction and an update in one batch leave no PII.
  for (const auto& [shop, when] : plan.shop_redacts) {
    tx.exec_params(kRedactShop, shop, when);
    outcomes.add("shop/redact", "applied");
  }
  for (const auto& r : plan.customer_redacts) {
    const auto& shop = r.source->shop_domain();
    tx.exec_params(kRedactCustomer, shop, r.value.customer_id, r.event_time);
    Column orders;
    for (auto id : r.value.orders_to_redact) orders.emplace_back(num(id));
    tx.exec_params(kRedactOrders, shop, r.value.customer_id, r.event_time, orders.str());
    outcomes.add("customers/redact", "applied");
  }

  if (!plan.orders.empty()) {
    Column shop, id, name, email, cust, cur, sub, tot, tax, disc, ship, fin, ful, test, created,
        day, updated, cancelled;
    for (const auto& [k, v] : plan.orders) {
      const Order& o = v.value;
      shop.emplace_back(k.first);
      id.emplace_back(num(k.second));
      name.push_back(opt(o.name));
      email.push_back(opt(o.email));
      cust.push_back(opt(o.customer_id, buf));
      cur.push_back(opt(o.currency));
      sub.push_back(opt(o.subtotal_price));
      tot.push_back(opt(o.total_price));
      tax.push_back(opt(o.total_tax));
      disc.push_back(opt(o.total_discounts));
      ship.push_back(opt(o.total_shipping));
      fin.push_back(opt(o.financial_status));
      ful.push_back(opt(o.fulfillment_status));
      test.emplace_back(std::string_view(o.test ? "true" : "false"));
      created.push_back(opt(o.created_at));
      day.push_back(local_date(o.created_at));
      updated.emplace_back(o.updated_at.empty() ? v.event_time : o.updated_at);
      cancelled.push_back(opt(o.cancelled_at));
    }
    auto won = winners(exec(tx, kUpsertOrders, shop, id, name, email, cust, cur, sub, tot, tax,
                            disc, ship, fin, ful, test, created, day, updated, cancelled));
    for (const auto& [k, v] : plan.orders)
      outcomes.add(v.source->shopify_topic(), won.count(k) ? "applied" : "stale");
    Column wshop, wid, lshop, lid, lorder, lprod, lvar, ltitle, lsku, lqty, lprice, ldisc;
    for (const auto& [k, v] : plan.orders) {
      auto w = won.find(k);
      if (w == won.end() || !v.value.has_line_items) continue;
      if (!w->second) {  // an update: the order's previous items go first
        wshop.emplace_back(k.first);
        wid.emplace_back(num(k.second));
      }
      for (const auto& li : v.value.line_items) {
        lshop.emplace_back(k.first);
        lid.emplace_back(num(li.id));
        lorder.emplace_back(num(k.second));
        lprod.push_back(opt(li.product_id, buf));
        lvar.push_back(opt(li.variant_id, buf));
        ltitle.push_back(opt(li.title));
        lsku.push_back(opt(li.sku));
        lqty.emplace_back(num(li.quantity));
        lprice.emplace_back(li.price);
        ldisc.emplace_back(li.total_discount);
      }
    }
    if (!wshop.empty()) exec(tx, kDeleteLineItems, wshop, wid);
    if (!lshop.empty())
      exec(tx, kInsertLineItems, lshop, lid, lorder, lprod, lvar, ltitle, lsku, lqty, lprice,
           ldisc);
  }

  if (!plan.products.empty()) {
    Column shop, id, title, handle, vendor, type, status, created, updated;
    for (const auto& [k, v] : plan.products) {
      const Product& p = v.value;
      shop.emplace_back(k.first);
      id.emplace_back(num(k.second));
      title.push_back(opt(p.title));
      handle.push_back(opt(p.handle));
      vendor.push_back(opt(p.vendor));
      type.push_back(opt(p.product_type));
      status.push_back(opt(p.status));
      created.push_back(opt(p.created_at));
      updated.emplace_back(p.updated_at.empty() ? v.event_time : p.updated_at);
    }
    auto won = winners(
        exec(tx, kUpsertProducts, shop, id, title, handle, vendor, type, status, created, updated));
    for (const auto& [k, v] : plan.products)
      outcomes.add(v.source->shopify_topic(), won.count(k) ? "applied" : "stale");
    Column wshop, wid, vshop, vid, vprod, vtitle, vsku, vprice, vqty, vitem, vupdated;
    for (const auto& [k, v] : plan.products) {
      auto w = won.find(k);
      if (w == won.end() || !v.value.has_variants) continue;
      if (!w->second) {  // an update: the product's previous variants go first
        wshop.emplace_back(k.first);
        wid.emplace_back(num(k.second));
      }
      for (const auto& var : v.value.variants) {
        vshop.emplace_back(k.first);
        vid.emplace_back(num(var.id));
        vprod.emplace_back(num(var.product_id.value_or(k.second)));
        vtitle.push_back(opt(var.title));
        vsku.push_back(opt(var.sku));
        vprice.push_back(opt(var.price));
        vqty.push_back(opt(var.inventory_quantity, buf));
        vitem.push_back(opt(var.inventory_item_id, buf));
        vupdated.push_back(opt(var.updated_at));
      }
    }
    if (!wshop.empty()) exec(tx, kDeleteVariants, wshop, wid);
    if (!vshop.empty())
      exec(tx, kInsertVariants, vshop, vid, vprod, vtitle, vsku, vprice, vqty, vitem, vupdated);
  }

  if (!plan.customers.empty()) {
    Column shop, id, email, first, last, phone, state, created, updated;
    for (const auto& [k, v] : plan.customers) {
      const Customer& c = v.value;
      shop.emplace_back(k.first);
      id.emplace_back(num(k.second));
      email.push_back(opt(c.email));
      first.push_back(opt(c.first_name));
      last.push_back(opt(c.last_name));
      phone.push_back(opt(c.phone));
      state.push_back(opt(c.state));
      created.push_back(opt(c.created_at));
      updated.emplace_back(c.updated_at.empty() ? v.event_time : c.updated_at);
    }
    auto won = winners(
        exec(tx, kUpsertCustomers, shop, id, email, first, last, phone, state, created, updated));
    for (const auto& [k, v] : plan.customers)
      outcomes.add(v.source->shopify_topic(), won.count(k) ? "applied" : "stale");
  }

  if (!plan.refunds.empty()) {
    Column shop, id, order, created, day, amount;
    for (const auto& [k, v] : plan.refunds) {
      shop.emplace_back(k.first);
      id.emplace_back(num(k.second));
      order.emplace_back(num(v.value.order_id));
      const std::string& when = v.value.created_at.empty() ? v.event_time : v.value.created_at;
      created.emplace_back(when);
      day.push_back(local_date(when));
      amount.emplace_back(v.value.amount);
    }
    auto inserted = exec(tx, kInsertRefunds, shop, id, order, created, day, amount).size();
    outcomes.add("refunds/create", "applied", inserted);
    outcomes.add("refunds/create", "duplicate", plan.refunds.size() - inserted);
  }

  auto deletes = [&](const std::map<EntityKey, std::string>& m, const char* table,
                     const char* topic) {
    if (m.empty()) return;
    Column shop, id, when;
    for (const auto& [k, t] : m) {
      shop.emplace_back(k.first);
      id.emplace_back(num(k.second));
      when.emplace_back(t);
    }
    exec(tx, soft_delete_sql(table), shop, id, when);
    outcomes.add(topic, "applied", m.size());
  };
  deletes(plan.order_deletes, "orders", "orders/delete");
  deletes(plan.product_deletes, "products", "products/delete");
  deletes(plan.customer_deletes, "customers", "customers/delete");

  for (const auto& r : plan.data_requests) {
    Column orders;
    for (auto id : r.value.orders_requested) orders.emplace_back(num(id));
    tx.exec_params(kInsertDataRequest, r.source->shop_domain(), r.value.id,
                   r.value.customer_id ? std::to_string(*r.value.customer_id) : std::string(),
                   orders.str(), r.event_time);
    outcomes.add("customers/data_request", "applied");
  }
  for (const auto& [shop, when] : plan.uninstalls) {
    tx.exec_params(kUninstall, shop, when);
    outcomes.add("app/uninstalled", "applied");
  }
}

}  // namespace shopstream::projections
