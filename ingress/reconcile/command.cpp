#include "ingress/reconcile/command.hpp"

#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "common/kafka/producer.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/net_addr.hpp"
#include "common/progress.hpp"
#include "common/ready_file.hpp"
#include "common/signals.hpp"
#include "common/startup.hpp"
#include "common/time.hpp"
#include "ingress/reconcile/metrics.hpp"
#include "ingress/reconcile/pass.hpp"
#include "ingress/reconcile/subscriptions.hpp"
#include "ingress/secrets.hpp"
#include "ingress/shop_domain.hpp"
#include "schemas/migrations.hpp"

namespace shopstream::ingress::reconcile {

const std::vector<std::string_view>& reconcile_option_names() {
  static const std::vector<std::string_view> names = {"kafka-brokers",
                                                      "kafka-properties",
                                                      "topic-prefix",
                                                      "topic-partitions",
                                                      "topic-replication",
                                                      "database-url",
                                                      "shop-domain",
                                                      "access-token",
                                                      "shops-file",
                                                      "admin-api-url",
                                                      "api-version",
                                                      "reconcile-interval",
                                                      "reconcile-overlap",
                                                      "webhook-url",
                                                      "shop",
                                                      "once",
                                                      "full",
                                                      "since",
                                                      "subscriptions",
                                                      "metrics-addr",
                                                      "ready-file",
                                                      "log-level"};
  return names;
}

namespace {

Result<std::vector<ShopAccess>> configured_shops(const Settings& s) {
  std::vector<ShopAccess> shops;
  if (!s.shops_file.empty()) {
    std::ifstream in(s.shops_file);
    if (!in) return fail("cannot read SHOPSTREAM_SHOPS_FILE " + s.shops_file);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = SecretStore::parse_shop_secrets(text.str());
    if (!parsed) return fail("SHOPSTREAM_SHOPS_FILE: " + parsed.error().message);
    for (auto& [shop, tokens] : parsed.value()) shops.push_back({shop, tokens.back()});
  }
  if (!s.shop_domain.empty()) {
    if (s.access_token.empty())
      return fail("SHOPIFY_ACCESS_TOKEN is required with SHOPIFY_SHOP_DOMAIN");
    auto shop = normalize_shop_domain(s.shop_domain);
    if (!shop) return fail("SHOPIFY_SHOP_DOMAIN must be a *.myshopify.com domain");
    shops.push_back({*shop, s.access_token});
  }
  if (shops.empty())
    return fail(
        "no shop: set SHOPIFY_SHOP_DOMAIN and SHOPIFY_ACCESS_TOKEN, or SHOPSTREAM_SHOPS_FILE");
  if (!s.shop.empty()) {
    std::erase_if(shops, [&](const ShopAccess& a) { return a.domain != s.shop; });
    if (shops.empty()) return fail("--shop " + s.shop + " is not a configured shop");
  }
  std::sort(shops.begin(), shops.end(),
            [](const ShopAccess& a, const ShopAccess& b) { return a.domain < b.domain; });
  return shops;
}

struct Stopper {
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::condition_variable cv;
  // Waits up to `d`; false when stopping.
  bool wait(std::chrono::milliseconds d) {
    std::unique_lock lock(mu);
    return !cv.wait_for(lock, d, [&] { return stop.load(); });
  }
  void request() {
    stop = true;
    cv.notify_all();
  }
};

}  // namespace

// What a reconciler holds: its shops and their clients, Kafka and Postgres.
struct Reconciler::Parts {
  Settings settings;
  std::vector<ShopAccess> shops;
  std::vector<std::unique_ptr<AdminClient>> clients;
  std::unique_ptr<kafka::Producer> producer;
  std::unique_ptr<ReadModels> db;
  std::unique_ptr<Publisher> publisher;
  // Shared with stopper()'s callers: a signal thread that outlives the reconciler.
  std::shared_ptr<Stopper> stop_shared = std::make_shared<Stopper>();
  Stopper& stopper = *stop_shared;
};

bool reconcile_configured(const Settings& s) {
  return !s.shop_domain.empty() || !s.shops_file.empty();
}

Result<std::unique_ptr<Reconciler>> Reconciler::create(const Settings& settings, bool need_kafka) {
  std::unique_ptr<Reconciler> r(new Reconciler());
  r->parts_ = std::make_unique<Parts>();
  auto& p = *r->parts_;
  p.settings = settings;
  auto shops = configured_shops(settings);
  if (!shops) return shops.error();
  p.shops = std::move(shops.value());
  for (const auto& shop : p.shops) {
    auto c =
        AdminClient::create(shop, settings.admin_api_url, settings.api_version, &p.stopper.stop);
    if (!c) return c.error();
    p.clients.push_back(std::move(c.value()));
  }
  if (!need_kafka) return r;
  if (settings.kafka_brokers.empty()) return fail("SHOPSTREAM_KAFKA_BROKERS is required");
  if (settings.database_url.empty()) return fail("SHOPSTREAM_DATABASE_URL is required");
  auto producer = kafka::Producer::create({.brokers = settings.kafka_brokers,
                                           .extra_properties = settings.kafka_properties,
                                           .client_id = "shopstream-reconciler"});
  if (!producer) return producer.error();
  p.producer = std::move(producer.value());
  try {
    p.db = std::make_unique<ReadModels>(settings.database_url);
  } catch (const std::exception& e) {
    return fail(std::string("cannot connect to Postgres: ") + e.what());
  }
  p.publisher =
      std::make_unique<Publisher>(*p.producer, settings.topic_prefix, settings.api_version);
  return r;
}

Reconciler::~Reconciler() {
  stop();
  if (thread_.joinable()) thread_.join();
  if (parts_ && parts_->producer) parts_->producer->flush(std::chrono::seconds(10));
}

void Reconciler::stop() {
  if (parts_) parts_->stopper.request();
}

std::function<void()> Reconciler::stopper() const {
  return [s = parts_->stop_shared] { s->request(); };
}

int Reconciler::keep_subscriptions_once() {
  auto& p = *parts_;
  int failed = 0;
  for (std::size_t i = 0; i < p.clients.size(); ++i) {
    const auto& shop = p.shops[i].domain;
    auto repaired = keep_subscriptions(shop, *p.clients[i], p.settings.webhook_url);
    if (!repaired) {
      ++failed;
      log::error("subscription check failed",
                 {{"shop", shop}, {"error", repaired.error().message}});
    } else {
      log::info("subscriptions checked",
                {{"shop", shop}, {"repaired", static_cast<std::int64_t>(repaired->size())}});
    }
  }
  return failed ? 1 : 0;
}

int Reconciler::run(bool once) {
  auto& p = *parts_;
  auto& m = Metrics::get();
  const bool tty = isatty(STDERR_FILENO);
  int exit_code = 0;
  for (bool first = true; first || !once; first = false) {
    if (!first && !p.stopper.wait(p.settings.reconcile_interval)) break;
    bool all_ok = true;
    for (std::size_t i = 0; i < p.clients.size() && !p.stopper.stop; ++i) {
      const auto& shop = p.shops[i].domain;
      if (!p.settings.webhook_url.empty()) {
        auto repaired = keep_subscriptions(shop, *p.clients[i], p.settings.webhook_url);
        if (!repaired)
          log::error("subscription check failed",
                     {{"shop", shop}, {"error", repaired.error().message}});
      }
      PassOptions po;
      po.full = p.settings.full;
      if (p.settings.since)  // the Admin API's search takes whole seconds
        po.since =
            std::chrono::floor<std::chrono::seconds>(std::chrono::milliseconds(*p.settings.since))
                .count();
      po.overlap = std::chrono::duration_cast<std::chrono::seconds>(p.settings.reconcile_overlap);
      po.stop = &p.stopper.stop;
      Progress progress("reconcile progress", tty);
      po.progress = [&](std::string_view entity, std::uint64_t fetched, std::uint64_t published) {
        char line[256];
        std::snprintf(line, sizeof line, "%s %.*s: %llu fetched, %llu published", shop.c_str(),
                      static_cast<int>(entity.size()), entity.data(),
                      static_cast<unsigned long long>(fetched),
                      static_cast<unsigned long long>(published));
        progress.report(
            line,
            {{"shop", shop}, {"entity", entity}, {"fetched", fetched}, {"published", published}});
      };
      auto summary = run_pass(shop, *p.clients[i], *p.db, *p.publisher, po);
      progress.clear();
      m.passes.Add({{"result", summary.ok ? "ok" : "failed"}}).Increment();
      if (summary.ok) {
        m.last_success.Add({{"shop", shop}})
            .Set(std::chrono::duration<double>(shopstream::time::now().time_since_epoch()).count());
        log::info("reconcile pass done",
                  {{"shop", shop}, {"summary", log::Json{summary_json(summary)}}});
      } else {
        all_ok = false;
        log::error("reconcile pass failed; the next pass resumes from the watermark",
                   {{"shop", shop},
                    {"error", summary.error},
                    {"summary", log::Json{summary_json(summary)}}});
      }
    }
    if (!all_ok) exit_code = 1;
    if (p.stopper.stop) break;
  }
  return exit_code;
}

void Reconciler::run_in_background() {
  thread_ = std::thread([this] { run(false); });
}

int run_reconcile(const Settings& settings) {
  if (settings.subscriptions && settings.webhook_url.empty())
    return startup_failure(
        "--subscriptions needs SHOPSTREAM_WEBHOOK_URL (where Shopify should send webhooks)");
  if (!settings.subscriptions) {
    if (settings.kafka_brokers.empty())
      return startup_failure("SHOPSTREAM_KAFKA_BROKERS is required");
    if (settings.database_url.empty())
      return startup_failure("SHOPSTREAM_DATABASE_URL is required");
    if (!schemas::ensure_schema(settings.database_url)) return 1;
    if (auto err = ensure_contract_topics(settings)) return startup_failure(err->message);
  }
  auto reconciler = Reconciler::create(settings, !settings.subscriptions);
  if (!reconciler) return startup_failure(reconciler.error().message);
  auto& r = reconciler.value();
  // The signal thread is never joined: it must not own the reconciler, whose producer's
  // poll thread would then outlive main() and touch metrics destroyed at exit.
  std::thread([stop = r->stopper()] {
    auto sig = wait_for_shutdown_signal();
    log::info("stopping after the current page", {{"signal", sig}});
    stop();
  }).detach();
  auto endpoint = metrics::Endpoint::start(settings.metrics_addr);
  if (!endpoint) return startup_failure(endpoint.error().message);
  Metrics::get();
  if (settings.subscriptions) return r->keep_subscriptions_once();
  if (!settings.ready_file.empty())
    if (auto err = write_ready_file(
            settings.ready_file, {{"metrics_url", url_for(settings.metrics_addr,
                                                          endpoint.value()->port(), "/metrics")}}))
      return startup_failure(err->message);
  log::info("reconciler running",
            {{"full", settings.full},
             {"once", settings.once},
             {"interval_ms", static_cast<std::int64_t>(settings.reconcile_interval.count())}});
  int code = r->run(settings.once);
  return settings.once ? code : 0;
}

}  // namespace shopstream::ingress::reconcile
