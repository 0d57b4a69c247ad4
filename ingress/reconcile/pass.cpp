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

// api.query as a Fetch (nested.hpp) that notes in `failed` a call that failed, to tell
// it from a malformed answer.
Fetch fetch_through(AdminClient& api, std::optional<Error>& failed) {
  return [&api, &failed](std::string_view document, const std::string& variables, double estimate) {
    auto body = api.query(document, variables, estimate);
    if (!body) failed = body.error();
    return body;
  };
}

double bucket_of(AdminClient& api) {
  auto bucket = api.bucket();
  return bucket ? bucket->maximum : 0;
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
  std::optional<Error> call_failed;
  auto text = kind.read_rest(node, fetch_through(api, call_failed), bucket_of(api));
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

// One entity's pass for one shop: its pages since the watermark (or all, --full), then
// the entities earlier passes skipped, read again by id. Throws PageFailure (or pqxx
// errors) to abandon the pass at a page; everything before it is durable and behind the
// watermark.
class EntityPass {
 public:
  EntityPass(const EntityKind& kind, const std::string& shop, const ShopClock& clock,
             AdminClient& api, ReadModels& db, Publisher& publisher, const PassOptions& options,
             PassSummary& summary)
      : kind_(kind),
        shop_(shop),
        clock_(clock),
        api_(api),
        db_(db),
        publisher_(publisher),
        options_(options),
        tally_(summary.entities[std::string(kind.name)]),
        refunds_(summary.entities["refunds"]),
        retry_order_(db.skipped(shop, kind.name)),
        listed_(retry_order_.begin(), retry_order_.end()),
        per_item_(kind.node_cost) {}

  void run() {
    std::optional<std::int64_t> since = options_.since;
    if (!since && !options_.full)
      if (auto w = db_.watermark(shop_, kind_.name)) since = *w - options_.overlap.count();
    std::optional<std::string> query;
    if (since) query = "updated_at:>='" + time::format_at_offset(*since, 0, true) + "'";
    std::string after;
    for (;;) {
      auto connection = fetch_page(fit(), after, query);
      const auto newest = compare(connection["edges"].get_array().value());
      commit();
      if (newest > 0) db_.advance_watermark(shop_, kind_.name, newest);
      if (options_.progress) options_.progress(kind_.name, tally_.fetched, tally_.published);
      bool more = false;
      std::string_view cursor;
      if (connection["pageInfo"]["hasNextPage"].get(more) != simdjson::SUCCESS) more = false;
      if (!more) break;
      if (connection["pageInfo"]["endCursor"].get(cursor) != simdjson::SUCCESS || cursor.empty())
        throw PageFailure("hasNextPage without an endCursor");
      after = std::string(cursor);
    }
    retry_skipped();
    if (options_.full) publish_deletes();
  }

 private:
  // Items per page that fit the limits, at what one node has cost so far.
  int fit() const {
    return page_size(per_item_, kConnectionCost, kSingleQueryLimit, bucket_of(api_));
  }

  // One page of the entity's connection ({pageInfo, edges}), parsed into parser_.
  simdjson::dom::element fetch_page(int first, const std::string& after,
                                    const std::optional<std::string>& query) {
    if (options_.stop && options_.stop->load()) throw PageFailure("stopping");
    const double estimate = kConnectionCost + first * per_item_;
    auto body = api_.query(kind_.document, page_variables(first, after, query), estimate);
    if (!body) throw PageFailure(body.error().message);
    // Learn what one node costs, to size the next page.
    if (api_.last_requested() > kConnectionCost)
      per_item_ = (api_.last_requested() - kConnectionCost) / first;
    simdjson::dom::element connection;
    simdjson::dom::array edges;
    if (parser_.parse(body.value())["data"][kind_.name].get(connection) != simdjson::SUCCESS ||
        connection["edges"].get(edges) != simdjson::SUCCESS)
      throw PageFailure("the answer has no data." + std::string(kind_.name) + ".edges");
    ++tally_.pages;
    return connection;
  }

  // A node not published: counted by `reason` (invalid, truncated), logged, and listed
  // for the next passes to read again.
  void skip(const char* reason, std::string_view message, std::optional<std::int64_t> id,
            std::string_view why) {
    ++tally_.skipped;
    Metrics::get()
        .skipped.Add({{"entity", std::string(kind_.name)}, {"reason", reason}})
        .Increment();
    log::warn(message,
              {{"shop", shop_}, {"entity", kind_.name}, {"id", id.value_or(0)}, {"reason", why}});
    if (!id) return;
    db_.record_skipped(shop_, kind_.name, *id, reason);
    skipped_now_.insert(*id);
  }

  // Compares a page's nodes with the read models and adds what they lack to the
  // publisher; returns the newest updated_at among them (0: none).
  std::int64_t compare(simdjson::dom::array edges) {
    auto& m = Metrics::get();
    std::vector<Mapped> nodes;
    std::vector<simdjson::dom::element> elements;  // each node's, for read_whole
    std::int64_t newest = 0;
    for (auto edge : edges) {
      simdjson::dom::element node;
      if (edge["node"].get(node) != simdjson::SUCCESS) continue;
      ++tally_.fetched;
      auto mapped = kind_.map(node, clock_);
      if (!mapped) {
        // Still live at the source: it must not look deleted to --full.
        std::string_view legacy;
        auto id = node["legacyResourceId"].get(legacy) == simdjson::SUCCESS ? numeric_id(legacy)
                                                                            : std::nullopt;
        if (id)
          seen_.insert(*id);
        else
          seen_all_ = false;
        skip("invalid", "Admin API node skipped", id, mapped.error().message);
        continue;
      }
      newest = std::max(newest, mapped->updated_at);
      seen_.insert(mapped->id);
      nodes.push_back(std::move(mapped.value()));
      elements.push_back(node);
    }
    std::vector<std::int64_t> ids, refund_ids;
    for (const auto& n : nodes) {
      ids.push_back(n.id);
      for (const auto& r : n.refunds) refund_ids.push_back(r.id);
    }
    auto held = db_.held(kind_.name, shop_, ids);
    auto refunds_held = db_.refunds_held(shop_, refund_ids);
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      auto& n = nodes[i];
      auto it = held.find(n.id);
      const bool missing = it == held.end() || !it->second.updated_at;
      const bool stale = !missing && *it->second.updated_at < n.updated_at;
      if (listed_.count(n.id)) settled_.push_back(n.id);     // unless skipped again below
      if (it != held.end() && it->second.deleted) continue;  // deletes are final
      // A node cut short is read whole when anything would be published from it: itself,
      // or a refund the read models lack (one the page holds, which may be short of lines,
      // or one past the page's refunds). Nothing of it is published half-read.
      bool refund_gap = std::any_of(n.refunds.begin(), n.refunds.end(), [&](const MappedRefund& r) {
        return !refunds_held.count(r.id);
      });
      if (!missing && !stale && !refund_gap &&
          n.refunds.size() >= static_cast<std::size_t>(kRefundsFirst))
        refund_gap = lacks_refunds(elements[i]);
      if (n.truncated && (missing || stale || refund_gap)) {
        auto whole = read_whole(kind_, elements[i], clock_, api_);
        if (!whole) {
          skip("invalid", "Admin API node skipped", n.id, whole.error().message);
          continue;
        }
        if (whole.value()) {
          ++tally_.read_whole;
          m.read_whole.Add({{"entity", std::string(kind_.name)}}).Increment();
          n = std::move(*whole.value());
          std::vector<std::int64_t> more;  // past the page's: are they held?
          for (const auto& r : n.refunds)
            if (!refunds_held.count(r.id)) more.push_back(r.id);
          if (!more.empty()) refunds_held.merge(db_.refunds_held(shop_, more));
        }
      }
      if (n.truncated && (missing || stale || refund_gap)) {
        skip("truncated", "entity could not be read whole; not published", n.id,
             "more refunds than can be listed (250), or gone at the source");
        continue;
      }
      if (missing || stale) {
        (missing ? tally_.missing : tally_.stale)++;
        m.gaps.Add({{"entity", std::string(kind_.name)}, {"kind", missing ? "missing" : "stale"}})
            .Increment();
        publisher_.add({shop_, std::string(missing ? kind_.create_topic : kind_.update_topic),
                        std::to_string(n.id), n.payload, n.updated_at_text,
                        webhook_id(kind_.name, n.id, n.updated_at)});
      }
      for (const auto& r : n.refunds) {
        if (refunds_held.count(r.id)) continue;
        ++refunds_.missing;
        m.gaps.Add({{"entity", "refunds"}, {"kind", "missing"}}).Increment();
        publisher_.add({shop_, "refunds/create", std::to_string(n.id), r.payload, n.updated_at_text,
                        webhook_id("refunds", r.id, 0)});
      }
    }
    return newest;
  }

  // Whether the read models lack a refund of an order whose page held as many as a page
  // reads (there may be more): the ids of all of them are read (253 points requested,
  // where reading them whole requests 993). A malformed answer counts as a lack: the
  // whole read then decides, and skips the order if it is malformed too.
  bool lacks_refunds(simdjson::dom::element order) {
    std::optional<Error> call_failed;
    auto listed = read_refund_ids(order, fetch_through(api_, call_failed), bucket_of(api_));
    if (call_failed) throw PageFailure(call_failed->message);
    if (!listed) return true;
    if (listed->gone) return false;
    if (!listed->complete) return true;
    return db_.refunds_held(shop_, listed->ids).size() < listed->ids.size();
  }

  // What the page added, made durable; then the skipped entities it settled are no
  // longer listed.
  void commit() {
    auto durable = publisher_.commit(kDurableTimeout);
    if (!durable) throw PageFailure(durable.error().message);
    tally_.published += durable.value();
    std::vector<std::int64_t> settled;
    for (auto id : settled_)
      if (!skipped_now_.count(id) && listed_.erase(id)) settled.push_back(id);
    settled_.clear();
    db_.forget_skipped(shop_, kind_.name, settled);
  }

  // The entities earlier passes skipped that this one has not met again, read by id, at
  // most kMaxRetries a pass, least recently skipped first (so many that stay invalid
  // cannot make every pass long): a node that now maps and reads whole is published (or
  // found current); one gone at the source is no longer listed; one skipped again stays
  // listed, now the most recent.
  void retry_skipped() {
    std::vector<std::int64_t> ids;
    for (auto id : retry_order_)
      if (!seen_.count(id) && !skipped_now_.count(id) && ids.size() < kMaxRetries)
        ids.push_back(id);
    for (auto id : ids) {
      ++tally_.retried;
      auto connection = fetch_page(1, "", "id:" + std::to_string(id));
      auto edges = connection["edges"].get_array().value();
      if (edges.size() == 0) settled_.push_back(id);  // gone at the source
      compare(edges);
      commit();
    }
  }

  // Live in the read models, gone at the source: deleted while no webhook reached us.
  void publish_deletes() {
    if (!seen_all_) {
      log::warn("deletions not checked: a node had no readable id",
                {{"shop", shop_}, {"entity", kind_.name}});
      return;
    }
    auto& m = Metrics::get();
    const auto now = time::format_rfc3339_ms(time::now());
    for (auto id : db_.live_ids(kind_.name, shop_)) {
      if (seen_.count(id)) continue;
      ++tally_.deleted;
      m.gaps.Add({{"entity", std::string(kind_.name)}, {"kind", "deleted"}}).Increment();
      publisher_.add({shop_, std::string(kind_.delete_topic), std::to_string(id),
                      "{\"id\":" + std::to_string(id) + "}", now, webhook_id(kind_.name, id, -1)});
    }
    commit();
  }

  const EntityKind& kind_;
  const std::string& shop_;
  const ShopClock& clock_;
  AdminClient& api_;
  ReadModels& db_;
  Publisher& publisher_;
  const PassOptions& options_;
  EntityTally& tally_;
  EntityTally& refunds_;
  static constexpr std::size_t kMaxRetries = 50;
  std::vector<std::int64_t> retry_order_;  // skipped by earlier passes, least recent first
  std::set<std::int64_t> listed_;          // the same, still to settle
  std::set<std::int64_t> skipped_now_;     // skipped by this pass
  std::vector<std::int64_t> settled_;      // listed, met by this page and not skipped
  std::set<std::int64_t> seen_;            // every live id at the source met (for --full)
  bool seen_all_ = true;                   // false: a node without a readable id; no deletes
  double per_item_;                        // what one node requests, learnt from the answers
  simdjson::dom::parser parser_;
};

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
      EntityPass(kind, shop, clock, api, db, publisher, options, summary).run();
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
    w.key("retried").number(static_cast<std::int64_t>(t.retried));
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
