#pragma once
// Records of the webhook shape from the reconciler (`shopstream-source: reconciler`),
// made durable together: commit() returns only once Kafka acknowledged every one, so a
// watermark is never advanced past a record that could still be lost. Not thread-safe.
#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "common/kafka/producer.hpp"
#include "common/result.hpp"

namespace shopstream::ingress::reconcile {

struct Outgoing {
  std::string shop, shopify_topic, entity_id, payload, triggered_at, webhook_id;
};

class Publisher {
 public:
  Publisher(kafka::Producer& producer, std::string topic_prefix, std::string api_version);
  void add(Outgoing record) { pending_.push_back(std::move(record)); }
  std::size_t size() const { return pending_.size(); }
  // Publishes what was added and waits for every delivery report. Error (retryable) if
  // any record failed or the wait timed out; the batch is cleared either way.
  Result<std::size_t> commit(std::chrono::milliseconds timeout);

 private:
  kafka::Producer& producer_;
  std::string prefix_, api_version_;
  std::vector<Outgoing> pending_;
};

}  // namespace shopstream::ingress::reconcile
