#pragma once
// Which Kafka topic a Shopify webhook topic goes to, and which payload field names the
// entity that keys the record ({shop}/{entity}). Shared by ingress, reconciler and
// replay so every record has one shape. Pure; thread-safe.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shopstream::routing {

enum class Stream { kOrders, kProducts, kCustomers, kCompliance };

// How to find the entity id in the payload: a path of object keys. Empty: the record is
// keyed by the shop domain alone (shop-level events).
struct Route {
  Stream stream;
  std::span<const std::string_view> entity_path;  // static storage
};

std::string_view stream_name(Stream s);  // "orders", "products", ...
std::string topic_name(std::string_view prefix, Stream s);
std::string deadletter_topic(std::string_view prefix);
// Every topic shopstream creates: the four streams and the deadletter topic.
std::vector<std::string> all_topics(std::string_view prefix);

// nullopt: shopstream does not route this topic (answered 200 and dropped).
std::optional<Route> route_for(std::string_view shopify_topic);

// "{shop}/{entity}", or "{shop}" when the route has no entity or it is absent.
std::string record_key(std::string_view shop_domain, std::string_view entity_id);

}  // namespace shopstream::routing
