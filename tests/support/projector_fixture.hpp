#pragma once
// A projector against the run's Kafka (mock or real) and Postgres: a fresh database,
// fresh topics and a fresh consumer group per fixture, and a publisher that writes
// records of the contract's shape the way the ingress does.
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "common/config.hpp"
#include "common/kafka/producer.hpp"
#include "consumers/command.hpp"
#include "tests/support/kafka.hpp"

namespace shopstream::test {

class ProjectorFixture {
 public:
  ProjectorFixture();
  ~ProjectorFixture();

  // Publishes a webhook as the ingress would (topic, key, headers) and waits for the ack.
  void publish(const std::string& shopify_topic, const std::string& body,
               const std::string& triggered_at, const std::string& shop = "demo.myshopify.com");
  void start();  // the projector, in-process
  void stop();
  // Waits until the projector has committed every published record.
  bool caught_up(std::chrono::milliseconds timeout = std::chrono::seconds(60));
  std::size_t published() const { return published_; }

  pqxx::result query(const std::string& sql);
  const Settings& settings() const { return settings_; }
  Settings& settings() { return settings_; }  // before start()
  std::vector<ConsumedRecord> deadletters() const;

 private:
  Settings settings_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<consumers::BackgroundProjector> projector_;
  std::size_t published_ = 0;
};

}  // namespace shopstream::test
