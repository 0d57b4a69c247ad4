#pragma once
// `shopstream replay`: reads a range of Kafka topics (by time or offsets, optionally one
// shop's records) once, from where it starts to the end each partition had when it
// started, and re-applies the records to the read models through the projector's code,
// or publishes them again to a topic, or only counts them. Re-applying is idempotent and
// safe beside a live projector: the read models keep the newest version of everything
// (by updated_at), and replay stores no consumer offsets.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "consumers/replay/records.hpp"

namespace shopstream::consumers::replay {

enum class Action { kProject, kRepublish, kCount };

struct Options {
  std::string brokers;
  std::string kafka_properties;
  std::vector<std::string> topics;  // full names
  std::optional<int> partition;
  Bounds offsets;                                  // from_offset / until_offset
  std::optional<std::int64_t> since_ms, until_ms;  // record timestamps
  std::string shop;                                // "": every shop
  Action action = Action::kCount;
  std::string republish_to;  // a topic, or "origin"
  std::string database_url;
  std::size_t batch = 1000;
  std::chrono::milliseconds stall_timeout{60'000};  // no record and no end seen this long
  const std::atomic<bool>* stop = nullptr;
  // Called about twice a second: records read so far, of `total`, and matched.
  std::function<void(std::uint64_t read, std::uint64_t total, std::uint64_t matched)> progress;
};

struct Summary {
  std::vector<Span> spans;  // what was to be read
  std::uint64_t total = 0, read = 0, matched = 0;
  std::map<std::string, std::uint64_t> by_topic;   // matched, by X-Shopify-Topic
  std::map<std::string, std::uint64_t> outcomes;   // project: applied, stale, ...
  std::map<std::string, std::uint64_t> by_target;  // republish (or its dry run)
  std::uint64_t republished = 0, failed = 0, no_origin = 0;
  bool stopped = false;  // by the caller's stop flag, before the end
  double seconds = 0;
};

// Runs the replay. An error for what it cannot do at all (a topic missing, Kafka or
// Postgres unreachable for too long); failures of single records are in the summary.
Result<Summary> run(const Options& options);

// The summary as one JSON object.
std::string summary_json(const Summary& summary);

}  // namespace shopstream::consumers::replay
