#include "ingress/webhook.hpp"

#include <simdjson.h>

#include <boost/beast/core/string.hpp>

#include <cstring>
#include <vector>

#include "common/routing.hpp"
#include "ingress/shop_domain.hpp"

namespace shopstream::ingress {
namespace http = boost::beast::http;
static_assert(kJsonPadding == simdjson::SIMDJSON_PADDING);
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_json_content_type(std::string_view ct) {
  auto media = ct.substr(0, ct.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return boost::beast::iequals(media, "application/json");
}

std::string_view header(const HttpRequest& r, std::string_view name) {
  auto it = r.find(boost::beast::string_view(name.data(), name.size()));
  if (it == r.end()) return {};
  auto v = it->value();
  return {v.data(), v.size()};
}

}  // namespace

std::optional<std::string> entity_id(const std::string& body,
                                     std::span<const std::string_view> path) {
  // simdjson reads up to kJsonPadding bytes past the end: the body's own spare
  // capacity when it has that much, or else a reused, padded per-thread copy (cheaper than
  // letting simdjson allocate a padded copy each time).
  thread_local simdjson::dom::parser parser;
  thread_local std::vector<char> padded;
  const char* text = body.data();
  if (body.capacity() - body.size() < kJsonPadding) {
    if (padded.size() < body.size() + kJsonPadding) padded.resize(body.size() + kJsonPadding);
    std::memcpy(padded.data(), body.data(), body.size());
    text = padded.data();
  }
  simdjson::dom::element doc;
  if (parser.parse(text, body.size(), false).get(doc) != simdjson::SUCCESS) return std::nullopt;
  if (!doc.is_object()) return std::nullopt;
  simdjson::dom::element cur = doc;
  for (auto key : path) {
    simdjson::dom::object obj;
    if (cur.get_object().get(obj) != simdjson::SUCCESS) return std::string();
    if (obj.at_key(key).get(cur) != simdjson::SUCCESS) return std::string();
  }
  if (path.empty()) return std::string();
  switch (cur.type()) {
    case simdjson::dom::element_type::UINT64:
      return std::to_string(cur.get_uint64().value());
    case simdjson::dom::element_type::INT64:
      return std::to_string(cur.get_int64().value());
    case simdjson::dom::element_type::STRING: {
      std::string_view s = cur.get_string().value();
      // Keys are "{shop}/{id}": an id must not smuggle a separator or control bytes in.
      for (char c : s)
        if (c == '/' || static_cast<unsigned char>(c) < 0x20) return std::string();
      return std::string(s.substr(0, 256));
    }
    default:
      return std::string();
  }
}

Verdict classify_webhook(HttpRequest req, const SecretStore& secrets, std::string_view topic_prefix,
                         time::Clock::time_point received_at) {
  const std::string& body = req.body();
  const auto signature = header(req, "X-Shopify-Hmac-Sha256");
  if (signature.empty())
    return Rejection{401, "missing_hmac", "X-Shopify-Hmac-Sha256 header is missing"};
  // The shop header only picks which per-shop secret to try; it is trusted after this.
  if (!secrets.verify(header(req, "X-Shopify-Shop-Domain"), body, signature))
    return Rejection{401, "invalid_hmac", "X-Shopify-Hmac-Sha256 does not match the body"};

  if (!is_json_content_type(header(req, "Content-Type")))
    return Rejection{415, "unsupported_media_type", "Content-Type must be application/json"};

  const auto topic = header(req, "X-Shopify-Topic");
  const auto shop = header(req, "X-Shopify-Shop-Domain");
  const auto webhook_id = header(req, "X-Shopify-Webhook-Id");
  std::string missing;
  if (topic.empty()) missing += "X-Shopify-Topic ";
  if (shop.empty()) missing += "X-Shopify-Shop-Domain ";
  if (webhook_id.empty()) missing += "X-Shopify-Webhook-Id ";
  if (!missing.empty()) {
    missing.pop_back();
    return Rejection{400, "missing_headers", "required header missing: " + missing};
  }
  auto normalized_shop = normalize_shop_domain(shop);
  if (!normalized_shop)
    return Rejection{400, "invalid_shop_domain",
                     "X-Shopify-Shop-Domain must be a *.myshopify.com domain"};
  if (body.empty()) return Rejection{400, "missing_body", "the body is empty"};

  auto route = routing::route_for(topic);
  auto id = entity_id(body, route ? route->entity_path : std::span<const std::string_view>());
  if (!id) return Rejection{400, "invalid_body", "the body is not a JSON object"};

  Publish p;
  p.shopify_topic = std::string(topic);
  p.shop_domain = std::move(*normalized_shop);
  p.webhook_id = std::string(webhook_id);
  p.routed = route.has_value();
  if (!route) return p;
  p.has_entity = route->entity_path.empty() || !id->empty();
  p.record.topic = routing::topic_name(topic_prefix, route->stream);
  p.record.key = routing::record_key(p.shop_domain, *id);
  p.record.headers.reserve(8);
  for (const auto& field : req) {
    const std::string_view name(field.name_string().data(), field.name_string().size());
    if (!boost::beast::iequals(name.substr(0, 10), "x-shopify-") ||
        boost::beast::iequals(name, "x-shopify-hmac-sha256"))
      continue;
    p.record.headers.push_back({lower(name), std::string(field.value())});
  }
  p.record.headers.push_back({"shopstream-received-at", time::format_rfc3339_ms(received_at)});
  p.record.headers.push_back({"shopstream-source", "webhook"});
  p.record.value = std::move(req.body());
  return p;
}

}  // namespace shopstream::ingress
