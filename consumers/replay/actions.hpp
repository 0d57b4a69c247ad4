#pragma once
// What `shopstream replay` does with each record it matched: re-apply it to the read models
// (Projecting) or publish it again (Republishing, to topics Targets checked exist). Not
// thread-safe: the replay's thread uses them (delivery reports arrive on the producer's).
#include <librdkafka/rdkafka.h>

#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "common/kafka/producer.hpp"
#include "common/kafka/reader.hpp"
#include "common/result.hpp"
#include "consumers/replay/replay.hpp"
#include "projections/event.hpp"
#include "projections/plan.hpp"

namespace shopstream::consumers::replay {

// Re-applies batches of events to the read models through the projector's code, retrying
// what Postgres may yet take.
class Projecting {
 public:
  Projecting(const Options& o, Summary& s) : o_(o), s_(s) {}
  // Copies the record; applies a batch when it is full.
  std::optional<Error> add(const rd_kafka_message_t* m);
  // Applies what is left. An error once Postgres refused the batch kApplyAttempts times.
  std::optional<Error> flush();

 private:
  static constexpr int kApplyAttempts = 8;
  void set_aside(const std::vector<projections::Deadletter>& dead);

  const Options& o_;
  Summary& s_;
  std::vector<projections::Event> events_;
  std::unique_ptr<pqxx::connection> db_;
};

// The topics records go to, each checked once to exist: a missing one stops the replay
// at its first record, before records queue up for it and time out one by one.
class Targets {
 public:
  explicit Targets(kafka::Reader& reader) : reader_(reader) {}
  std::optional<Error> check(const std::string& topic);

 private:
  kafka::Reader& reader_;
  std::set<std::string> checked_;
};

// Publishes records again, each durable before the summary counts it published.
class Republishing {
 public:
  Republishing(kafka::Producer& producer, Targets& targets, const Options& o, Summary& s)
      : producer_(producer), targets_(targets), o_(o), s_(s) {}
  std::optional<Error> add(const rd_kafka_message_t* m);
  // Waits for every delivery report; fills the summary's republished and failed.
  void finish();

 private:
  // Reading runs ahead of acknowledging: at most this many bytes wait for their acks.
  static constexpr std::uint64_t kMaxUnacked = 64ull << 20;
  std::uint64_t unacked();

  kafka::Producer& producer_;
  Targets& targets_;
  const Options& o_;
  Summary& s_;
  std::mutex mu_;  // the counters below: delivery reports update them on another thread
  std::uint64_t produced_ = 0, done_ = 0, ok_ = 0, failed_ = 0;
  std::uint64_t unacked_ = 0;  // bytes of records produced and not yet reported
};

}  // namespace shopstream::consumers::replay
