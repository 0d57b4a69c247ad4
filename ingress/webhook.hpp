#pragma once
// What to do with one POST /webhooks/shopify: reject it (with the status and reason of
// the contract) or publish it (topic, key, headers). Pure: no I/O, no clock (the
// receive time is passed in); thread-safe.
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "common/http_server.hpp"
#include "common/kafka/producer.hpp"
#include "common/time.hpp"
#include "ingress/secrets.hpp"

namespace shopstream::ingress {

struct Rejection {
  unsigned status;        // 400, 401 or 415
  std::string_view code;  // Shopify's validator names: missing_hmac, invalid_hmac, ...
  std::string message;    // says which header or what in the body
};

struct Publish {
  std::string shopify_topic;  // e.g. "orders/create"
  std::string shop_domain;    // lower-cased
  std::string webhook_id;
  bool routed = false;     // false: a valid webhook of a topic shopstream drops
  bool has_entity = true;  // false: the payload lacked the id its route keys on
  kafka::Record record;    // its value is the request's body, moved out
};

using Verdict = std::variant<Rejection, Publish>;

// Consumes the request: a Publish takes its body as the record's value, uncopied.
Verdict classify_webhook(HttpRequest request, const SecretStore& secrets,
                         std::string_view topic_prefix, time::Clock::time_point received_at);

// The spare capacity past a body's end that lets entity_id parse it in place.
inline constexpr std::size_t kJsonPadding = 64;  // simdjson::SIMDJSON_PADDING

// The entity id at `path` in a JSON object body: a number or a string, as text.
// Empty when absent, null or of another type. nullopt when the body is not a JSON object.
// Parsed in place when the body's capacity leaves kJsonPadding past its end (see
// HttpServerOptions::body_padding); otherwise from a padded copy.
std::optional<std::string> entity_id(const std::string& body,
                                     std::span<const std::string_view> path);

}  // namespace shopstream::ingress
