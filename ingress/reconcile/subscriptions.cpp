#include "ingress/reconcile/subscriptions.hpp"

#include <simdjson.h>

#include <set>

#include "common/json_writer.hpp"
#include "common/log.hpp"
#include "ingress/reconcile/metrics.hpp"
#include "ingress/reconcile/queries.hpp"

namespace shopstream::ingress::reconcile {

const std::vector<std::string>& required_topics() {
  static const std::vector<std::string> topics = {
      "ORDERS_CREATE",    "ORDERS_UPDATED",  "ORDERS_PAID",      "ORDERS_FULFILLED",
      "ORDERS_CANCELLED", "ORDERS_DELETE",   "REFUNDS_CREATE",   "PRODUCTS_CREATE",
      "PRODUCTS_UPDATE",  "PRODUCTS_DELETE", "CUSTOMERS_CREATE", "CUSTOMERS_UPDATE",
      "CUSTOMERS_DELETE", "APP_UNINSTALLED"};
  return topics;
}

Result<std::vector<std::string>> keep_subscriptions(const std::string& shop, AdminClient& api,
                                                    const std::string& callback_url) {
  std::set<std::string> present;
  std::string after;
  simdjson::dom::parser parser;
  for (;;) {
    JsonWriter vars;
    vars.begin_object().key("first").number(100).key("after").string_or_null(after).end_object();
    auto body = api.query(kSubscriptionsQuery, vars.str(), 102);
    if (!body) return body.error();
    simdjson::dom::element page;
    if (parser.parse(body.value())["data"]["webhookSubscriptions"].get(page) != simdjson::SUCCESS)
      return fail("the answer has no data.webhookSubscriptions");
    simdjson::dom::array edges;
    if (page["edges"].get(edges) == simdjson::SUCCESS)
      for (auto e : edges) {
        std::string_view topic, url;
        if (e["node"]["topic"].get(topic) == simdjson::SUCCESS &&
            e["node"]["endpoint"]["callbackUrl"].get(url) == simdjson::SUCCESS &&
            url == callback_url)
          present.insert(std::string(topic));
      }
    bool more = false;
    std::string_view cursor;
    if (page["pageInfo"]["hasNextPage"].get(more) != simdjson::SUCCESS || !more ||
        page["pageInfo"]["endCursor"].get(cursor) != simdjson::SUCCESS)
      break;
    after = std::string(cursor);
  }
  std::vector<std::string> repaired;
  for (const auto& topic : required_topics()) {
    if (present.count(topic)) continue;
    JsonWriter vars;
    vars.begin_object().key("topic").string(topic).key("webhookSubscription").begin_object();
    vars.key("callbackUrl")
        .string(callback_url)
        .key("format")
        .string("JSON")
        .end_object()
        .end_object();
    auto body = api.query(kCreateSubscription, vars.str(), 10);
    if (!body) return body.error();
    simdjson::dom::array errors;
    if (parser.parse(body.value())["data"]["webhookSubscriptionCreate"]["userErrors"].get(errors) ==
            simdjson::SUCCESS &&
        errors.size() > 0)
      return fail("Shopify refused to create the " + topic +
                  " subscription: " + simdjson::minify(errors));
    Metrics::get().repaired.Add({{"topic", topic}}).Increment();
    log::warn("webhook subscription was missing; re-created",
              {{"shop", shop}, {"topic", topic}, {"callback_url", callback_url}});
    repaired.push_back(topic);
  }
  return repaired;
}

}  // namespace shopstream::ingress::reconcile
