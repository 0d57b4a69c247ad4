// shopify-sim: a deterministic Shopify store for tests, benchmarks and the demo. It
// serves the GraphQL Admin API subset the reconciler uses, delivers the store's history
// as signed webhooks with faults, and dumps its true state. Wiring only.
#include <boost/beast/http.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "common/http_client.hpp"
#include "common/http_server.hpp"
#include "common/io_pool.hpp"
#include "common/log.hpp"
#include "common/net_addr.hpp"
#include "common/ready_file.hpp"
#include "common/signals.hpp"
#include "common/units.hpp"
#include "common/url.hpp"
#include "tools/simulator/admin_api.hpp"
#include "tools/simulator/delivery.hpp"

using namespace shopstream;
namespace http = boost::beast::http;

namespace {

constexpr const char* kHelp = R"(Usage: shopify-sim [flags]

A simulated Shopify store: a deterministic store generated from a seed, its history
delivered as signed webhooks (with faults) to --webhook-url, the GraphQL Admin API at
POST /admin/api/{version}/graphql.json (X-Shopify-Access-Token: shpat_sim_N for shop N),
and control endpoints: GET /sim/state (the true state as JSON), GET /sim/stats,
GET /sim/shops, POST /sim/fail?status=429&count=N,
POST /sim/malformed?count=N (the next N answers of one order, product or refund by id
hold it without its fields; 0 clears),
POST /sim/subscriptions/delete?shop=DOMAIN&topic=orders/create.

Store:     --seed N (1) --shops N (1) --products N (50) --customers N (200)
           --orders N (1000) --days N (14) --large P (0: share of orders with 21-300 line
           items, refunded in 1-8 refunds, and of products with 51-600 variants)
           --many-refunds P (0: share of those with 100+ line items refunded in 30-49)
Webhooks:  --webhook-url URL (none: no deliveries) --secret S (required with a URL)
           --rate N/s (500) --drop P --duplicate P --reorder P --delay P (0)
           --retry-base-ms N (1000) --max-retries N (8) --concurrency N (4)
Admin API: --bucket N (2000) --restore N/s (100) --max-query-cost N (1000)
           --fail-429 P --fail-5xx P (0)
Process:   --listen HOST:PORT (127.0.0.1:0) --ready-file F
           --dump FILE (write the state and exit, serving nothing)
)";

std::map<std::string, std::string> parse_flags(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      std::exit(0);
    }
    if (a.rfind("--", 0) != 0 || i + 1 >= argc) {
      std::fprintf(stderr, "shopify-sim: expected --flag value, got '%s' (see --help)\n",
                   a.c_str());
      std::exit(2);
    }
    flags[a.substr(2)] = argv[++i];
  }
  return flags;
}

}  // namespace

int main(int argc, char** argv) {
  block_process_signals();
  auto flags = parse_flags(argc, argv);
  auto take = [&](const std::string& name, const std::string& def) {
    auto it = flags.find(name);
    if (it == flags.end()) return def;
    auto v = it->second;
    flags.erase(it);
    return v;
  };
  auto number = [&](const std::string& name, double def) {
    auto text = take(name, "");
    if (text.empty()) return def;
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (*end != '\0' || v < 0) {
      std::fprintf(stderr, "shopify-sim: --%s must be a non-negative number\n", name.c_str());
      std::exit(2);
    }
    return v;
  };
  sim::StoreSpec spec;
  spec.seed = static_cast<std::uint64_t>(number("seed", 1));
  spec.shops = static_cast<int>(number("shops", 1));
  spec.products = static_cast<int>(number("products", 50));
  spec.customers = static_cast<int>(number("customers", 200));
  spec.orders = static_cast<int>(number("orders", 1000));
  spec.days = static_cast<int>(number("days", 14));
  spec.large_share = number("large", 0);
  spec.many_refunds = number("many-refunds", 0);
  sim::ApiOptions api_options;
  api_options.bucket_size = number("bucket", 2000);
  api_options.restore_rate = number("restore", 100);
  api_options.max_query_cost = static_cast<int>(number("max-query-cost", 1000));
  api_options.fail_429 = number("fail-429", 0);
  api_options.fail_5xx = number("fail-5xx", 0);
  api_options.seed = spec.seed;
  sim::DeliveryOptions delivery;
  delivery.rate = number("rate", 500);
  delivery.drop = number("drop", 0);
  delivery.duplicate = number("duplicate", 0);
  delivery.reorder = number("reorder", 0);
  delivery.delay = number("delay", 0);
  delivery.retry_base = std::chrono::milliseconds(static_cast<int>(number("retry-base-ms", 1000)));
  delivery.max_retries = static_cast<int>(number("max-retries", 8));
  delivery.concurrency = std::max(1, static_cast<int>(number("concurrency", 4)));
  delivery.seed = spec.seed;
  delivery.secret = take("secret", "");
  const auto webhook_url = take("webhook-url", "");
  const auto listen = take("listen", "127.0.0.1:0");
  const auto ready_file = take("ready-file", "");
  const auto dump = take("dump", "");
  if (!flags.empty()) {
    std::fprintf(stderr, "shopify-sim: unknown flag --%s (see --help)\n",
                 flags.begin()->first.c_str());
    return 2;
  }
  if (spec.shops < 1 || delivery.rate <= 0) {
    std::fprintf(stderr, "shopify-sim: --shops and --rate must be positive\n");
    return 2;
  }
  if (!webhook_url.empty() && delivery.secret.empty()) {
    std::fprintf(stderr, "shopify-sim: --secret is required with --webhook-url\n");
    return 2;
  }
  if (!webhook_url.empty() && !parse_base_url(webhook_url)) {
    std::fprintf(stderr, "shopify-sim: --webhook-url: %s\n",
                 parse_base_url(webhook_url).error().message.c_str());
    return 2;
  }
  for (double p : {delivery.drop, delivery.duplicate, delivery.reorder, delivery.delay,
                   api_options.fail_429, api_options.fail_5xx})
    if (p > 1) {
      std::fprintf(stderr, "shopify-sim: probabilities must be between 0 and 1\n");
      return 2;
    }
  const auto bind = split_host_port(listen);
  if (!bind) {
    std::fprintf(stderr, "shopify-sim: --listen must be HOST:PORT\n");
    return 2;
  }

  const sim::Store store = sim::generate(spec);
  if (!dump.empty()) {
    std::ofstream(dump) << sim::dump_json(store);
    return 0;
  }
  sim::AdminApi api(store, api_options);
  static const std::vector<std::string> kTopics = {
      "orders/create",    "orders/updated",  "orders/paid",      "orders/fulfilled",
      "orders/cancelled", "orders/delete",   "refunds/create",   "products/create",
      "products/update",  "products/delete", "customers/create", "customers/update",
      "customers/delete", "customers/redact"};
  if (!webhook_url.empty()) api.subscribe_all(webhook_url, kTopics);
  sim::Deliverer deliverer(store, api, delivery);

  auto json = [](unsigned status, std::string body) {
    HttpResponse res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, "application/json");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
  };
  IoPool pool(2);
  HttpServer server(pool, {}, [&](HttpRequest&& req, Responder respond, const Executor&) {
    auto target = parse_target(std::string(req.target()));
    if (!target) return void(respond(json_response(400, "bad_target")));
    const auto& path = target->path;
    if (req.method() == http::verb::post && path.rfind("/admin/api/", 0) == 0 && path.size() > 13 &&
        path.substr(path.size() - 13) == "/graphql.json") {
      auto token = req["X-Shopify-Access-Token"];
      auto answer = api.graphql({token.data(), token.size()}, req.body());
      auto res = json(answer.status, std::move(answer.body));
      for (const auto& [k, v] : answer.headers) res.set(k, v);
      return void(respond(std::move(res)));
    }
    if (path == "/sim/state") return void(respond(json(200, sim::dump_json(store))));
    if (path == "/sim/stats")
      return void(respond(json(
          200, "{\"api\":" + api.stats_json() + ",\"delivery\":" + deliverer.stats_json() + "}")));
    if (path == "/sim/shops") {
      std::string out = "[";
      for (const auto& s : store.shops)
        out += std::string(out.size() > 1 ? "," : "") + "{\"domain\":\"" + s.domain +
               "\",\"access_token\":\"" + s.access_token +
               "\",\"utc_offset_minutes\":" + std::to_string(s.utc_offset_minutes) + "}";
      return void(respond(json(200, out + "]")));
    }
    if (path == "/sim/fail" && req.method() == http::verb::post) {
      // Not a whole number: -1, refused below.
      const auto status = parse_int(target->param("status").value_or("503")).value_or(-1);
      const auto count = parse_int(target->param("count").value_or("1")).value_or(-1);
      if ((status != 429 && (status < 500 || status > 599)) || count < 1 || count > 10'000)
        return void(respond(json_response(400, "bad_request", "status 429 or 5xx, count 1-10000")));
      api.inject_failures(static_cast<unsigned>(status), static_cast<int>(count));
      return void(respond(json_response(200, "ok")));
    }
    if (path == "/sim/malformed" && req.method() == http::verb::post) {
      const auto count = parse_int(target->param("count").value_or("1")).value_or(-1);
      if (count < 0 || count > 10'000)
        return void(respond(json_response(400, "bad_request", "count 0-10000")));
      api.inject_malformed(static_cast<int>(count));
      return void(respond(json_response(200, "ok")));
    }
    if (path == "/sim/subscriptions/delete" && req.method() == http::verb::post) {
      auto shop = target->param("shop").value_or("");
      for (std::size_t i = 0; i < store.shops.size(); ++i)
        if (store.shops[i].domain == shop)
          api.delete_subscription(i, target->param("topic").value_or(""));
      return void(respond(json_response(200, "ok")));
    }
    respond(json_response(404, "not_found"));
  });
  auto port = server.listen(bind->first, bind->second);
  if (!port) {
    std::fprintf(stderr, "shopify-sim: cannot listen on %s: %s\n", listen.c_str(),
                 port.error().message.c_str());
    return 1;
  }
  pool.start();
  std::string base = "http://127.0.0.1:" + std::to_string(port.value());
  std::size_t entities = 0;
  for (const auto& s : store.shops)
    entities += s.products.size() + s.customers.size() + s.orders.size();
  log::info("simulated store serving",
            {{"admin_api_url", base},
             {"shops", static_cast<std::int64_t>(store.shops.size())},
             {"entities", static_cast<std::int64_t>(entities)},
             {"webhooks", static_cast<std::int64_t>(store.history.size())},
             {"webhook_url", webhook_url}});
  if (!webhook_url.empty()) deliverer.start();
  if (!ready_file.empty())
    if (auto err = write_ready_file(
            ready_file, std::vector<std::pair<std::string, std::string>>{
                            {"admin_api_url", base}, {"port", std::to_string(port.value())}})) {
      std::fprintf(stderr, "shopify-sim: %s\n", err->message.c_str());
      return 1;
    }
  wait_for_shutdown_signal();
  server.stop();
  pool.halt();
  return 0;
}
