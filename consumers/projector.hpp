#pragma once
// `shopstream project`: a Kafka consumer group over the orders, products, customers and
// compliance topics that applies events to the Postgres read models in batches, one
// transaction a batch, with the consumed offsets written in that same transaction and
// read back on partition assignment. A crash at any instant neither loses nor
// double-applies an event. Records that cannot be applied go to the deadletter topic
// (durably, before the offsets that skip them commit) and never block their partition.
// Postgres applies one batch on a thread of its own while the next is read and decoded.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "common/kafka/producer.hpp"
#include "common/result.hpp"

namespace shopstream::consumers {

struct ProjectorOptions {
  std::string brokers;
  std::string kafka_properties;
  std::string topic_prefix = "shopify.";
  std::string database_url;
  std::string group_id = "shopstream-projector";
  std::size_t max_batch = 2000;
  std::chrono::milliseconds max_wait{100};
};

class Projector {
 public:
  // `deadletters` publishes to the deadletter topic; it must outlive the projector.
  static Result<std::unique_ptr<Projector>> create(const ProjectorOptions& options,
                                                   kafka::Producer& deadletters);
  ~Projector();
  // Consumes until `stop` becomes true. Returns an error only for what retrying cannot
  // fix (a fatal Kafka error); connection problems are retried with back-off.
  std::optional<Error> run(const std::atomic<bool>& stop);

  struct Impl;

 private:
  explicit Projector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace shopstream::consumers
