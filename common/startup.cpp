#include "common/startup.hpp"

#include <chrono>

#include "common/kafka/producer.hpp"
#include "common/log.hpp"
#include "common/routing.hpp"

namespace shopstream {

int startup_failure(std::string_view what) {
  log::error("start-up failed", {{"error", what}});
  return 1;
}

std::optional<Error> ensure_contract_topics(const Settings& s) {
  auto admin =
      kafka::Producer::create({.brokers = s.kafka_brokers, .extra_properties = s.kafka_properties});
  if (!admin) return admin.error();
  return admin.value()->ensure_topics(routing::all_topics(s.topic_prefix), s.topic_partitions,
                                      s.topic_replication, std::chrono::seconds(30));
}

}  // namespace shopstream
