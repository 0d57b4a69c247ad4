#include "projections/plan.hpp"

#include "projections/decode.hpp"

namespace shopstream::projections {
namespace {

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

// RFC 3339 strings of one shape compare as text only within one UTC offset, so compare
// by instant: parse to seconds since the epoch plus fraction.
long double instant(std::string_view t) {
  if (t.size() < 19) return -1;
  auto num = [&](std::size_t pos, std::size_t len) {
    long v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + (t[i] - '0');
    return v;
  };
  long y = num(0, 4), mo = num(5, 2), d = num(8, 2);
  // Days from civil (Howard Hinnant's algorithm).
  y -= mo <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  long days = era * 146097 + doe - 719468;
  long double secs = days * 86400.0L + num(11, 2) * 3600 + num(14, 2) * 60 + num(17, 2);
  std::size_t i = 19;
  if (i < t.size() && t[i] == '.') {
    long double scale = 0.1L;
    for (++i; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, scale /= 10)
      secs += (t[i] - '0') * scale;
  }
  if (i + 6 == t.size() && (t[i] == '+' || t[i] == '-')) {
    long off = num(i + 1, 2) * 3600 + num(i + 4, 2) * 60;
    secs -= t[i] == '+' ? off : -off;
  }
  return secs;
}

// Keeps the newer of two versions: by updated_at (or event time), ties to the later one.
// The version set aside is counted: duplicate when of the same time, else stale.
template <typename T>
void keep_newest(std::map<EntityKey, Versioned<T>>& m, EntityKey key, Versioned<T> v,
                 const std::string& updated_at, Outcomes& outcomes) {
  auto it = m.find(key);
  if (it == m.end()) {
    m.emplace(std::move(key), std::move(v));
    return;
  }
  const std::string& old_time =
      it->second.value.updated_at.empty() ? it->second.event_time : it->second.value.updated_at;
  const std::string& new_time = updated_at.empty() ? v.event_time : updated_at;
  auto o = instant(old_time), n = instant(new_time);
  const Event* loser = n >= o ? it->second.source : v.source;
  outcomes.add(loser->shopify_topic(), n == o ? "duplicate" : "stale");
  if (n >= o) it->second = std::move(v);
}

void keep_earliest_time(std::map<EntityKey, std::string>& m, EntityKey key, const std::string& t,
                        const std::string& topic, Outcomes& outcomes) {
  auto [it, inserted] = m.emplace(std::move(key), t);
  if (inserted) return;
  outcomes.add(topic, "duplicate");
  if (instant(t) < instant(it->second)) it->second = t;
}

}  // namespace

Plan plan_batch(const std::vector<Event>& events) {
  Plan plan;
  plan.events = events.size();
  for (const auto& e : events) {
    const std::string& topic = e.shopify_topic();
    const std::string& shop = e.shop_domain();
    const std::string& when = e.event_time();
    auto dead = [&](std::string reason) {
      plan.deadletters.push_back({&e, std::move(reason)});
      plan.outcomes.add(topic.empty() ? "unknown" : topic, "deadlettered");
    };
    if (shop.empty() || topic.empty()) {
      dead("missing x-shopify-topic or x-shopify-shop-domain header");
      continue;
    }
    if (!is_timestamp(when)) {
      dead("no valid x-shopify-triggered-at or shopstream-received-at header");
      continue;
    }
    auto on_error = [&](const Error& err) { dead(topic + ": " + err.message); };
    if (auto [it, inserted] = plan.shops_seen.emplace(shop, when);
        !inserted && instant(when) < instant(it->second))
      it->second = when;

    if (topic == "orders/delete" || topic == "products/delete" || topic == "customers/delete") {
      auto d = decode_deletion(e.value);
      if (!d) {
        on_error(d.error());
        continue;
      }
      auto& target = topic[0] == 'o'   ? plan.order_deletes
                     : topic[0] == 'p' ? plan.product_deletes
                                       : plan.customer_deletes;
      keep_earliest_time(target, {shop, d->id}, when, topic, plan.outcomes);
    } else if (topic == "refunds/create") {
      auto r = decode_refund(e.value);
      if (!r) {
        on_error(r.error());
        continue;
      }
      EntityKey k{shop, r->id};
      if (!plan.refunds.emplace(k, Versioned<Refund>{std::move(r.value()), when, &e}).second)
        plan.outcomes.add(topic, "duplicate");  // refunds never change: the first one stands
    } else if (topic == "orders/edited") {
      plan.outcomes.add(topic, "ignored");  // the full order follows as orders/updated
    } else if (starts_with(topic, "orders/")) {
      auto o = decode_order(e.value);
      if (!o) {
        on_error(o.error());
        continue;
      }
      auto updated = o->updated_at;
      EntityKey k{shop, o->id};
      keep_newest(plan.orders, k, Versioned<Order>{std::move(o.value()), when, &e}, updated,
                  plan.outcomes);
    } else if (starts_with(topic, "products/")) {
      auto p = decode_product(e.value);
      if (!p) {
        on_error(p.error());
        continue;
      }
      auto updated = p->updated_at;
      EntityKey k{shop, p->id};
      keep_newest(plan.products, k, Versioned<Product>{std::move(p.value()), when, &e}, updated,
                  plan.outcomes);
    } else if (topic == "customers/redact") {
      auto r = decode_customer_redact(e.value);
      if (!r) {
        on_error(r.error());
        continue;
      }
      plan.customer_redacts.push_back({std::move(r.value()), when, &e});
    } else if (topic == "customers/data_request") {
      auto r = decode_data_request(e.value);
      if (!r) {
        on_error(r.error());
        continue;
      }
      plan.data_requests.push_back({std::move(r.value()), when, &e});
    } else if (starts_with(topic, "customers/")) {
      auto c = decode_customer(e.value);
      if (!c) {
        on_error(c.error());
        continue;
      }
      auto updated = c->updated_at;
      EntityKey k{shop, c->id};
      keep_newest(plan.customers, k, Versioned<Customer>{std::move(c.value()), when, &e}, updated,
                  plan.outcomes);
    } else if (topic == "shop/redact") {
      if (!plan.shop_redacts.emplace(shop, when).second) plan.outcomes.add(topic, "duplicate");
    } else if (topic == "app/uninstalled") {
      auto [it, inserted] = plan.uninstalls.emplace(shop, when);
      if (!inserted) plan.outcomes.add(topic, "duplicate");
      if (!inserted && instant(when) > instant(it->second)) it->second = when;
    } else {
      plan.outcomes.add(topic, "ignored");  // inventory, transactions: no read model yet
    }
  }
  return plan;
}

}  // namespace shopstream::projections
