#include "common/routing.hpp"

#include <array>

namespace shopstream::routing {
namespace {

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

}  // namespace

std::string_view stream_name(Stream s) {
  switch (s) {
    case Stream::kOrders:
      return "orders";
    case Stream::kProducts:
      return "products";
    case Stream::kCustomers:
      return "customers";
    case Stream::kCompliance:
      return "compliance";
  }
  return "unknown";
}

std::string topic_name(std::string_view prefix, Stream s) {
  return std::string(prefix) + std::string(stream_name(s));
}

std::string deadletter_topic(std::string_view prefix) {
  return std::string(prefix) + "deadletter";
}

std::vector<std::string> all_topics(std::string_view prefix) {
  return {topic_name(prefix, Stream::kOrders), topic_name(prefix, Stream::kProducts),
          topic_name(prefix, Stream::kCustomers), topic_name(prefix, Stream::kCompliance),
          deadletter_topic(prefix)};
}

namespace {
constexpr std::string_view kId[] = {"id"};
constexpr std::string_view kOrderId[] = {"order_id"};
constexpr std::string_view kCustomerId[] = {"customer", "id"};
constexpr std::string_view kOrderEditOrderId[] = {"order_edit", "order_id"};
constexpr std::string_view kInventoryItemId[] = {"inventory_item_id"};
}  // namespace

std::optional<Route> route_for(std::string_view t) {
  // Compliance topics first: two of them share the customers/ prefix.
  if (t == "customers/data_request" || t == "customers/redact")
    return Route{Stream::kCompliance, kCustomerId};
  if (t == "shop/redact" || t == "app/uninstalled") return Route{Stream::kCompliance, {}};
  // orders/edited carries {"order_edit": {"order_id": ..}}, not an order.
  if (t == "orders/edited") return Route{Stream::kOrders, kOrderEditOrderId};
  if (starts_with(t, "orders/")) return Route{Stream::kOrders, kId};
  if (t == "refunds/create" || t == "order_transactions/create")
    return Route{Stream::kOrders, kOrderId};
  if (starts_with(t, "products/") || starts_with(t, "inventory_items/"))
    return Route{Stream::kProducts, kId};
  // Levels have no id of their own: key by item so a level follows its item.
  if (starts_with(t, "inventory_levels/")) return Route{Stream::kProducts, kInventoryItemId};
  if (starts_with(t, "customers/")) return Route{Stream::kCustomers, kId};
  return std::nullopt;
}

std::string record_key(std::string_view shop_domain, std::string_view entity_id) {
  std::string key;
  key.reserve(shop_domain.size() + 1 + entity_id.size());
  key += shop_domain;
  if (!entity_id.empty()) {
    key.push_back('/');
    key += entity_id;
  }
  return key;
}

}  // namespace shopstream::routing
