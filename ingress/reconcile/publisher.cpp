#include "ingress/reconcile/publisher.hpp"

#include <memory>
#include <thread>

#include "common/routing.hpp"
#include "common/time.hpp"
#include "ingress/reconcile/metrics.hpp"

namespace shopstream::ingress::reconcile {

Publisher::Publisher(kafka::Producer& producer, std::string topic_prefix, std::string api_version)
    : producer_(producer), prefix_(std::move(topic_prefix)), api_version_(std::move(api_version)) {}

Result<std::size_t> Publisher::commit(std::chrono::milliseconds timeout) {
  struct Tally {
    std::atomic<std::size_t> done{0}, failed{0};
    std::string error;
  };
  auto tally = std::make_shared<Tally>();
  auto batch = std::move(pending_);
  pending_.clear();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto received_at = time::format_rfc3339_ms(time::now());
  for (const auto& r : batch) {
    auto route = routing::route_for(r.shopify_topic);
    if (!route) return fail("no route for " + r.shopify_topic);
    kafka::Record rec;
    rec.topic = routing::topic_name(prefix_, route->stream);
    rec.key = routing::record_key(r.shop, r.entity_id);
    rec.value = r.payload;
    rec.headers = {
        {"x-shopify-topic", r.shopify_topic},    {"x-shopify-shop-domain", r.shop},
        {"x-shopify-webhook-id", r.webhook_id},  {"x-shopify-triggered-at", r.triggered_at},
        {"x-shopify-api-version", api_version_}, {"shopstream-received-at", received_at},
        {"shopstream-source", "reconciler"}};
    const std::string topic = r.shopify_topic;
    auto err = producer_.produce_waiting(
        rec,
        [tally, topic](const kafka::Delivery& d) {
          if (d.ok())
            Metrics::get().published.Add({{"topic", topic}}).Increment();
          else
            tally->failed++;
          tally->done++;
        },
        [&] {  // queue full: back-pressure
          producer_.flush(std::chrono::milliseconds(100));
          return std::chrono::steady_clock::now() < deadline;
        });
    if (err) return fail("cannot publish: " + err->message, true);
  }
  while (tally->done.load() < batch.size() && std::chrono::steady_clock::now() < deadline)
    producer_.flush(std::chrono::milliseconds(100));
  if (tally->done.load() < batch.size())
    return fail("Kafka did not acknowledge every record in time", true);
  if (tally->failed.load() > 0)
    return fail(std::to_string(tally->failed.load()) + " record(s) failed delivery", true);
  return batch.size();
}

}  // namespace shopstream::ingress::reconcile
