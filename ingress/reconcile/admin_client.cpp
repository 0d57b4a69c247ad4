#include "ingress/reconcile/admin_client.hpp"

#include <simdjson.h>

#include <thread>

#include "common/log.hpp"
#include "ingress/reconcile/metrics.hpp"

namespace shopstream::ingress::reconcile {
namespace {

constexpr int kMaxAttempts = 10;

// "THROTTLED", another error code, or "" when the answer has no errors.
std::string error_code(std::string_view body, std::string& message) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) {
    message = "the answer is not JSON";
    return "INVALID_JSON";
  }
  simdjson::dom::element errors;
  if (doc["errors"].get(errors) != simdjson::SUCCESS) {
    simdjson::dom::element data;
    if (doc["data"].get(data) != simdjson::SUCCESS || !data.is_object()) {
      message = "the answer has no data";
      return "NO_DATA";
    }
    return "";
  }
  if (errors.is_string()) {
    message = std::string(errors.get_string().value());
    return "ERROR";
  }
  std::string code = "ERROR";
  for (auto e : errors.get_array()) {
    std::string_view m, c;
    if (e["message"].get(m) == simdjson::SUCCESS) message = std::string(m);
    if (e["extensions"]["code"].get(c) == simdjson::SUCCESS) code = std::string(c);
    if (code == "THROTTLED") break;
  }
  return code;
}

}  // namespace

Result<std::unique_ptr<AdminClient>> AdminClient::create(const ShopAccess& shop,
                                                         const std::string& base_url,
                                                         const std::string& api_version,
                                                         const std::atomic<bool>* stop) {
  std::string url = base_url.empty() ? "https://{shop}" : base_url;
  if (auto p = url.find("{shop}"); p != std::string::npos) url.replace(p, 6, shop.domain);
  auto base = parse_base_url(url);
  if (!base) return fail("admin API URL " + url + ": " + base.error().message);
  return std::unique_ptr<AdminClient>(
      new AdminClient(shop, base.value(), "/admin/api/" + api_version + "/graphql.json", stop));
}

AdminClient::AdminClient(ShopAccess shop, BaseUrl base, std::string path,
                         const std::atomic<bool>* stop)
    : shop_(std::move(shop)),
      http_(std::move(base), std::chrono::seconds(30)),
      path_(std::move(path)),
      stop_(stop) {}

bool AdminClient::sleep_for(std::chrono::steady_clock::duration d) {
  auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
    if (stop_ && stop_->load()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        until - std::chrono::steady_clock::now(), std::chrono::milliseconds(100)));
  }
  return true;
}

Result<std::string> AdminClient::query(std::string_view document, const std::string& variables,
                                       double requested_estimate) {
  auto& m = Metrics::get();
  std::string body = "{\"query\":";
  log::append_json_string(body, document);
  body += ",\"variables\":" + (variables.empty() ? std::string("{}") : variables) + "}";
  const HeaderList headers = {{"Content-Type", "application/json"},
                              {"Accept", "application/json"},
                              {"X-Shopify-Access-Token", shop_.token}};
  int failures = 0;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    if (auto wait = pacer_.wait_for(requested_estimate, std::chrono::steady_clock::now());
        wait > std::chrono::steady_clock::duration::zero()) {
      m.throttle_waits.Increment();
      double seconds = std::chrono::duration<double>(wait).count();
      m.throttle_wait_seconds.Increment(seconds);
      stats_.waited_seconds += seconds;
      if (!sleep_for(wait)) return fail("stopping", true);
    }
    if (stop_ && stop_->load()) return fail("stopping", true);
    ++stats_.calls;
    auto reply = http_.request("POST", path_, headers, body);
    const auto now = std::chrono::steady_clock::now();
    std::optional<double> retry_after;
    std::string why;
    if (!reply) {
      m.requests.Add({{"result", "network"}}).Increment();
      why = reply.error().message;
    } else if (reply->status == 429 || reply->status >= 500) {
      m.requests.Add({{"result", reply->status == 429 ? "http_429" : "http_5xx"}}).Increment();
      why = "HTTP " + std::to_string(reply->status);
      if (auto it = reply->headers.find("retry-after"); it != reply->headers.end())
        retry_after = std::atof(it->second.c_str());
    } else {
      auto cost = parse_cost(reply->body);
      if (cost && cost->status) pacer_.observe(*cost->status, now);
      if (cost) last_requested_ = cost->requested;
      std::string message;
      auto code = reply->status == 200 ? error_code(reply->body, message) : "HTTP";
      if (code.empty()) {
        m.requests.Add({{"result", "ok"}}).Increment();
        double actual = cost && cost->actual ? *cost->actual : 0;
        m.cost_points.Increment(actual);
        stats_.cost += actual;
        return std::move(reply->body);
      }
      if (code == "THROTTLED") {
        // The pacer now knows the bucket and waits before the retry; no back-off needed.
        m.requests.Add({{"result", "throttled"}}).Increment();
        ++stats_.throttled;
        if (cost) requested_estimate = std::max(requested_estimate, cost->requested);
        continue;
      }
      m.requests.Add({{"result", "error"}}).Increment();
      if (code == "HTTP")
        message = "HTTP " + std::to_string(reply->status) + ": " + reply->body.substr(0, 200);
      return fail("Admin API refused the query (" + code + "): " + message);
    }
    ++stats_.retries;
    auto delay = backoff(failures++, retry_after);
    log::warn("Admin API call failed; retrying the same page",
              {{"shop", shop_.domain},
               {"error", why},
               {"retry_in_ms", static_cast<std::int64_t>(delay.count())}});
    if (!sleep_for(delay)) return fail("stopping", true);
  }
  return fail("Admin API still failing after " + std::to_string(kMaxAttempts) + " attempts", true);
}

}  // namespace shopstream::ingress::reconcile
