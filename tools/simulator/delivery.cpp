#include "tools/simulator/delivery.hpp"

#include <map>
#include <memory>
#include <random>

#include "common/crypto.hpp"
#include "common/http_client.hpp"
#include "common/json_writer.hpp"
#include "common/log.hpp"
#include "common/time.hpp"

namespace shopstream::sim {

Plan plan_deliveries(std::size_t count, const DeliveryOptions& o) {
  std::mt19937_64 rng(o.seed * 7919 + 17);
  std::uniform_real_distribution<double> u(0, 1);
  Plan plan;
  std::vector<std::size_t> late;
  for (std::size_t i = 0; i < count; ++i) {
    if (u(rng) < o.drop) {
      ++plan.dropped;
      continue;
    }
    if (u(rng) < o.delay) {
      ++plan.delayed;
      late.push_back(i);
    } else {
      plan.order.push_back(i);
    }
    if (u(rng) < o.duplicate) {
      ++plan.duplicated;
      plan.order.push_back(i);
    }
  }
  for (std::size_t i = 0; i + 1 < plan.order.size(); ++i)
    if (u(rng) < o.reorder) {
      std::swap(plan.order[i], plan.order[i + 1]);
      ++plan.reordered;
      ++i;
    }
  plan.order.insert(plan.order.end(), late.begin(), late.end());
  return plan;
}

Deliverer::Deliverer(const Store& store, AdminApi& api, DeliveryOptions options)
    : store_(store), api_(api), options_(std::move(options)) {
  plan_ = plan_deliveries(store_.history.size(), options_);
}

Deliverer::~Deliverer() {
  stop_ = true;
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void Deliverer::start() {
  auto now = std::chrono::steady_clock::now();
  next_send_ = now;
  // Jobs keep the plan's order: each is due a little after the previous one.
  for (std::size_t i = 0; i < plan_.order.size(); ++i)
    jobs_.push({now + std::chrono::microseconds(i), plan_.order[i], 0});
  remaining_ = plan_.order.size();
  for (int i = 0; i < options_.concurrency; ++i) workers_.emplace_back([this] { work(); });
}

void Deliverer::work() {
  std::map<std::string, std::unique_ptr<HttpClient>> clients;
  const auto gap = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(1.0 / options_.rate));
  while (!stop_) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return stop_ || !jobs_.empty(); });
      if (stop_) return;
      if (jobs_.empty()) continue;
      auto now = std::chrono::steady_clock::now();
      if (jobs_.top().not_before > now) {
        cv_.wait_until(lock, jobs_.top().not_before);
        continue;
      }
      job = jobs_.top();
      jobs_.pop();
      next_send_ = std::max(next_send_ + gap, now);
      auto wait_until = next_send_;
      lock.unlock();
      std::this_thread::sleep_until(wait_until);  // the configured delivery rate
    }
    const Webhook& wh = store_.history[job.webhook];
    const Shop& shop = store_.shops[wh.shop];
    auto url = api_.callback_for(wh.shop, wh.topic);
    if (!url) {  // no subscription (deleted after failures): Shopify sends nothing
      ++unsubscribed_;
      --remaining_;
      continue;
    }
    auto& client = clients[*url];
    if (!client) {
      auto base = parse_base_url(*url);
      if (!base) {
        log::error("bad callback URL", {{"url", *url}});
        --remaining_;
        continue;
      }
      client = std::make_unique<HttpClient>(base.value(), options_.timeout);
    }
    HeaderList headers = {
        {"Content-Type", "application/json"},
        {"User-Agent", "Shopify-Captain-Hook"},
        {"X-Shopify-Topic", wh.topic},
        {"X-Shopify-Hmac-Sha256", base64_encode(hmac_sha256(options_.secret, wh.body))},
        {"X-Shopify-Shop-Domain", shop.domain},
        {"X-Shopify-API-Version", options_.api_version},
        {"X-Shopify-Webhook-Id", wh.webhook_id},
        {"X-Shopify-Event-Id", wh.event_id},
        {"X-Shopify-Triggered-At",
         time::format_rfc3339_ms(time::Clock::time_point(std::chrono::seconds(wh.triggered_at)))},
    };
    auto reply = client->request("POST", "", headers, wh.body);
    if (reply && reply->status >= 200 && reply->status < 300) {
      ++delivered_;
      --remaining_;
      continue;
    }
    ++failed_attempts_;
    if (job.attempt >= options_.max_retries) {
      ++gave_up_;
      --remaining_;
      log::warn("delivery failed every retry: subscription deleted",
                {{"shop", shop.domain}, {"topic", wh.topic}});
      api_.delete_subscription(wh.shop, wh.topic);
      continue;
    }
    std::lock_guard lock(mu_);
    jobs_.push({std::chrono::steady_clock::now() + options_.retry_base * (1 << job.attempt),
                job.webhook, job.attempt + 1});
    cv_.notify_one();
  }
}

std::string Deliverer::stats_json() const {
  JsonWriter w;
  w.begin_object().key("planned").number(static_cast<std::int64_t>(plan_.order.size()));
  w.key("history").number(static_cast<std::int64_t>(store_.history.size()));
  w.key("dropped").number(static_cast<std::int64_t>(plan_.dropped));
  w.key("duplicated").number(static_cast<std::int64_t>(plan_.duplicated));
  w.key("reordered").number(static_cast<std::int64_t>(plan_.reordered));
  w.key("delayed").number(static_cast<std::int64_t>(plan_.delayed));
  w.key("delivered").number(static_cast<std::int64_t>(delivered_.load()));
  w.key("failed_attempts").number(static_cast<std::int64_t>(failed_attempts_.load()));
  w.key("gave_up").number(static_cast<std::int64_t>(gave_up_.load()));
  w.key("unsubscribed").number(static_cast<std::int64_t>(unsubscribed_.load()));
  w.key("remaining").number(static_cast<std::int64_t>(remaining_.load()));
  w.key("done").boolean(done()).end_object();
  return w.take();
}

}  // namespace shopstream::sim
