#include "ingress/reconcile/pass.hpp"

#include <simdjson.h>

#include <algorithm>
#include <pqxx/except>
#include <set>

#include "common/json_writer.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "ingress/reconcile/mapping.hpp"
#include "ingress/reconcile/metrics.hpp"
#include "ingress/reconcile/nested.hpp"
#include "ingress/reconcile/queries.hpp"

namespace shopstream::ingress::reconcile {
namespace {

struct EntityKind {
  std::string_view name;  // connection and table: orders, products, customers
  std::string_view document;
  std::string_view create_topic;  // when the read models lack the entity
  std::string_view update_topic;  // when they hold it older
  std::string_view delete_topic;
  Result<Mapped> (*map)(simdjson::dom::element, const ShopClock&);
  double node_cost;  // requested per node, until an answer says (queries.hpp)
  // A node a list page cut short, with its nested connections read on to their end
  // (nested.hpp); null: the entity has none.
  Result<std::optional<std::string>> (*read_rest)(simdjson::dom::element, const Fetch&,
                                                  double bucket) = nullptr;
};

const EntityKind kKinds[] = {
    {"customers", kCustomersQuery, "customers/create", "customers/update", "customers/delete",
     map_customer, kCustomerNodeCost},
    {"products", kProductsQuery, "products/create", "products/update", "products/delete",
     map_product, kProductNodeCost, read_rest_of_product},
    {"orders", kOrdersQuery, "orders/create", "orders/updated", "orders/delete", map_order,
     kOrderNodeCost, read_rest_of_order},
};

const auto kDurableTimeout = std::chrono::seconds(60);

std::string webhook_id(std::string_view entity, std::int64_t id, std::int64_t version) {
  return "reconcile-" + std::string(entity) + "-" + std::to_string(id) + "-" +
         std::to_string(version);
}

struct PageFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The variables of a page: `first` nodes after `after`, matching `query` (null: all).
std::string page_variables(int first, const std::string& after,
                           const std::optional<std::string>& query) {
  JsonWriter vars;
  vars.begin_object().key("first").number(first).key("after").string_or_null(after);
  vars.key("query");
  if (query)
    vars.string(*query);
  else
    vars.null();
  vars.end_object();
  return vars.take();
}

// A node a page cut short (more line items, refund lines or variants than the page
// holds), made whole by reading its nested connections on. nullopt if it is gone at the
// source or still cut short (more refunds than can be listed): the caller
// reports it. An Error if an answer was malformed (no connection, a cursor that does not
// move, a list that never ends): the caller skips this node alone, else a node malformed
// every time would stop the shop's passes at its page for good. A failed call abandons
// the pass at this page, as a list page's does: the next pass retries it.
Result<std::optional<Mapped>> read_whole(const EntityKind& kind, simdjson::dom::element node,
                                         const ShopClock& clock, AdminClient& api) {
  if (!kind.read_rest) return std::optional<Mapped>();
  auto bucket = api.bucket();
  std::optional<Error> call_failed;
  auto text = kind.read_rest(
      node,
      [&](std::string_view document, const std::string& variables, double estimate) {
        auto body = api.query(document, variables, estimate);
        if (!body) call_failed = body.error();
        return body;
      },
      bucket ? bucket->maximum : 0);
  if (call_failed) throw PageFailure(call_failed->message);
  if (!text) return text.error();
  if (!text.value()) return std::optional<Mapped>();
  simdjson::dom::parser parser;  // its own: the page's document stays valid
  simdjson::dom::element whole;
  if (parser.parse(*text.value()).get(whole) != simdjson::SUCCESS)
    return fail("a node read whole is not JSON");
  auto mapped = kind.map(whole, clock);
  if (!mapped) return mapped.error();
  if (mapped->truncated) return std::optional<Mapped>();
  return std::optional(std::move(mapped.value()));
}

// One entity's pages. Throws PageFailure (or pqxx errors) to abandon the pass at this
// page; everything before it is durable and behind the watermark.
void reconcile_entity(const EntityKind& kind, const std::string& shop, const ShopClock& clock,
                      AdminClient& api, ReadModels& db, Publisher& publisher,
                      const PassOptions& options, PassSummary& summary) {
  auto& m = Metrics::get();
  auto& tally = summary.entities[std::string(kind.name)];
  auto& refunds = summary.entities["refunds"];
  std::optional<std::int64_t> since = options.since;
  if (!since && !options.full)
    if (auto w = db.watermark(shop, kind.name)) since = *w - options.overlap.count();
  std::set<std::int64_t> seen;  // --full: every live id at the source
  bool seen_all = true;         // false: a node without a readable id; no deletes then
  std::string after;
  double per_item = kind.node_cost;
  auto fit = [&] {
    auto bucket = api.bucket();
    return page_size(per_item, kConnectionCost, kSingleQueryLimit, bucket ? bucket->maximum : 0);
  };
  int first = fit();
  // A node not published: counted by `reason` (invalid, truncated) and logged.
  auto skip = [&](const char* reason, std::string_view message, std::int64_t id,
                  std::string_view why) {
    ++tally.skipped;
    m.skipped.Add({{"entity", std::string(kind.name)}, {"reason", reason}}).Increment();
    log::warn(message, {{"shop", shop}, {"entity", kind.name}, {"id", id}, {"reason", why}});
  };
  simdjson::dom::parser parser;
  for (;;) {
    if (options.stop && options.stop->load()) throw PageFailure("stopping");
    std::optional<std::string> query;
    if (since) query = "updated_at:>='" + time::format_at_offset(*since, 0, true) + "'";
    const double estimate = kConnectionCost + first * per_item;
    auto body = api.query(kind.document, page_variables(first, after, query), estimate);
    if (!body) throw PageFailure(body.error().message);
    // Learn what one node costs, and size the next page to fit the limits.
    if (api.last_requested() > kConnectionCost) {
      per_item = (api.last_requested() - kConnectionCost) / first;
      first = fit();
    }
    simdjson::dom::element doc;
    simdjson::dom::array edges;
    if (parser.parse(body.value()).get(doc) != simdjson::SUCCESS ||
        doc["data"][kind.name]["edges"].get(edges) != simdjson::SUCCESS)
      throw PageFailure("the answer has no data." + std::string(kind.name) + ".edges");
    ++tally.pages;
    std::vector<Mapped> nodes;
    std::vector<simdjson::dom::element> elements;  // each node's, for read_whole
    std::int64_t newest = 0;
    for (auto edge : edges) {
      simdjson::dom::element node;
      if (edge["node"].get(node) != simdjson::SUCCESS) continue;
      ++tally.fetched;
      auto mapped = kind.map(node, clock);
      if (!mapped) {
        // Still live at the source: it must not look deleted to --full.
        std::string_view legacy;
        auto id = node["legacyResourceId"].get(legacy) == simdjson::SUCCESS ? numeric_id(legacy)
                                                                            : std::nullopt;
        if (id)
          seen.insert(*id);
        else
          seen_all = false;
        skip("invalid", "Admin API node skipped", id.value_or(0), mapped.error().message);
        continue;
      }
      newest = std::max(newest, mapped->updated_at);
      seen.insert(mapped->id);
      nodes.push_back(std::move(mapped.value()));
      elements.push_back(node);
    }
    std::vector<std::int64_t> ids, refund_ids;
    for (const auto& n : nodes) {
      ids.push_back(n.id);
      for (const auto& r : n.refunds) refund_ids.push_back(r.id);
    }
    auto held = db.held(kind.name, shop, ids);
    auto refunds_held = db.refunds_held(shop, refund_ids);
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      auto& n = nodes[i];
      auto it = held.find(n.id);
      const bool missing = it == held.end() || !it->second.updated_at;
      const bool stale = !missing && *it->second.updated_at < n.updated_at;
      if (it != held.end() && it->second.deleted) continue;  // deletes are final
      // A node cut short is read whole when anything would be published from it: itself,
      // or a refund the read models lack (one the page holds, which may be short of lines,
      // or one past the page's refunds). Nothing of it is published half-read.
      const bool refund_gap =
          n.refunds.size() >= static_cast<std::size_t>(kRefundsFirst) ||
          std::any_of(n.refunds.begin(), n.refunds.end(),
                      [&](const MappedRefund& r) { return !refunds_held.count(r.id); });
      if (n.truncated && (missing || stale || refund_gap)) {
        auto whole = read_whole(kind, elements[i], clock, api);
        if (!whole) {
          skip("invalid", "Admin API node skipped", n.id, whole.error().message);
          continue;
        }
        if (whole.value()) {
          ++tally.read_whole;
          m.read_whole.Add({{"entity", std::string(kind.name)}}).Increment();
          n = std::move(*whole.value());
          std::vector<std::int64_t> more;  // past the page's: are they held?
          for (const auto& r : n.refunds)
            if (!refunds_held.count(r.id)) more.push_back(r.id);
          if (!more.empty()) refunds_held.merge(db.refunds_held(shop, more));
        }
      }
      if (n.truncated && (missing || stale || refund_gap)) {
        skip("truncated", "entity could not be read whole; not published", n.id,
             "more refunds than can be listed (250), or gone at the source");
        continue;
      }
      if (missing || stale) {
        (missing ? tally.missing : tally.stale)++;
        m.gaps.Add({{"entity", std::string(kind.name)}, {"kind", missing ? "missing" : "stale"}})
            .Increment();
        publisher.add({shop, std::string(missing ? kind.create_topic : kind.update_topic),
                       std::to_string(n.id), n.payload, n.updated_at_text,
                       webhook_id(kind.name, n.id, n.updated_at)});
      }
      for (const auto& r : n.refunds) {
        if (refunds_held.count(r.id)) continue;
        ++refunds.missing;
        m.gaps.Add({{"entity", "refunds"}, {"kind", "missing"}}).Increment();
        publisher.add({shop, "refunds/create", std::to_string(n.id), r.payload, n.updated_at_text,
                       webhook_id("refunds", r.id, 0)});
      }
    }
    auto durable = publisher.commit(kDurableTimeout);
    if (!durable) throw PageFailure(durable.error().message);
    tally.published += durable.value();
    if (newest > 0) db.advance_watermark(shop, kind.name, newest);
    if (options.progress) options.progress(kind.name, tally.fetched, tally.published);
    bool more = false;
    std::string_view cursor;
    if (doc["data"][kind.name]["pageInfo"]["hasNextPage"].get(more) != simdjson::SUCCESS)
      more = false;
    if (!more) break;
    if (doc["data"][kind.name]["pageInfo"]["endCursor"].get(cursor) != simdjson::SUCCESS ||
        cursor.empty())
      throw PageFailure("hasNextPage without an endCursor");
    after = std::string(cursor);
  }
  if (!options.full) return;
  if (!seen_all) {
    log::warn("deletions not checked: a node had no readable id",
              {{"shop", shop}, {"entity", kind.name}});
    return;
  }
  // Live in the read models, gone at the source: deleted while no webhook reached us.
  const auto now = time::format_rfc3339_ms(time::now());
  for (auto id : db.live_ids(kind.name, shop)) {
    if (seen.count(id)) continue;
    ++tally.deleted;
    m.gaps.Add({{"entity", std::string(kind.name)}, {"kind", "deleted"}}).Increment();
    publisher.add({shop, std::string(kind.delete_topic), std::to_string(id),
                   "{\"id\":" + std::to_string(id) + "}", now, webhook_id(kind.name, id, -1)});
  }
  auto durable = publisher.commit(kDurableTimeout);
  if (!durable) throw PageFailure(durable.error().message);
  tally.published += durable.value();
}

}  // namespace

PassSummary run_pass(const std::string& shop, AdminClient& api, ReadModels& db,
                     Publisher& publisher, const PassOptions& options) {
  PassSummary summary;
  const auto start = std::chrono::steady_clock::now();
  const CallStats before = api.stats();  // the client lives across passes
  try {
    auto body = api.query(kShopQuery, "{}", 1);
    if (!body) throw PageFailure(body.error().message);
    simdjson::dom::parser parser;
    simdjson::dom::element shop_node;
    std::int64_t offset = 0;
    if (parser.parse(body.value())["data"]["shop"].get(shop_node) != simdjson::SUCCESS ||
        shop_node["timezoneOffsetMinutes"].get(offset) != simdjson::SUCCESS || offset < -24 * 60 ||
        offset > 24 * 60)
      throw PageFailure("shop.timezoneOffsetMinutes missing or out of range");
    ShopClock clock{std::nullopt, static_cast<int>(offset)};
    std::string_view iana;
    if (shop_node["ianaTimezone"].get(iana) == simdjson::SUCCESS) {
      auto zone = TimeZone::load(iana);
      if (zone)
        clock.zone = std::move(zone.value());
      else
        log::warn("shop time zone unknown here; using its current UTC offset for every date",
                  {{"shop", shop}, {"error", zone.error().message}});
    }
    for (const auto& kind : kKinds)
      reconcile_entity(kind, shop, clock, api, db, publisher, options, summary);
  } catch (const PageFailure& e) {
    summary.ok = false;
    summary.error = e.what();
  } catch (const pqxx::failure& e) {
    summary.ok = false;
    summary.error = std::string("Postgres: ") + e.what();
  }
  const CallStats& after = api.stats();
  summary.api = {after.calls - before.calls, after.throttled - before.throttled,
                 after.retries - before.retries, after.cost - before.cost,
                 after.waited_seconds - before.waited_seconds};
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

std::string summary_json(const PassSummary& s) {
  JsonWriter w;
  w.begin_object();
  for (const auto& [name, t] : s.entities) {
    w.key(name).begin_object();
    w.key("fetched").number(static_cast<std::int64_t>(t.fetched));
    w.key("missing").number(static_cast<std::int64_t>(t.missing));
    w.key("stale").number(static_cast<std::int64_t>(t.stale));
    w.key("deleted").number(static_cast<std::int64_t>(t.deleted));
    w.key("published").number(static_cast<std::int64_t>(t.published));
    w.key("skipped").number(static_cast<std::int64_t>(t.skipped));
    w.key("pages").number(static_cast<std::int64_t>(t.pages));
    w.key("read_whole").number(static_cast<std::int64_t>(t.read_whole));
    w.end_object();
  }
  w.key("api_calls").number(static_cast<std::int64_t>(s.api.calls));
  w.key("api_cost").number(static_cast<std::int64_t>(s.api.cost));
  w.key("throttled").number(static_cast<std::int64_t>(s.api.throttled));
  w.key("retries").number(static_cast<std::int64_t>(s.api.retries));
  w.key("waited_seconds").raw(std::to_string(s.api.waited_seconds));
  w.key("seconds").raw(std::to_string(s.seconds));
  w.end_object();
  return w.take();
}

}  // namespace shopstream::ingress::reconcile
