#pragma once
// `shopstream replay`: what a range is, which records match, and what a republished
// record looks like. Pure; thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/kafka/producer.hpp"

namespace shopstream::consumers::replay {

// A short name ("orders", "products", "customers", "compliance", "deadletter") gets the
// topic prefix; any other name is a full topic name.
std::string resolve_topic(std::string_view prefix, std::string_view name);

// The offsets of one partition to read: [begin, end).
struct Span {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t begin = 0;
  std::int64_t end = 0;
  std::uint64_t size() const { return end > begin ? static_cast<std::uint64_t>(end - begin) : 0; }
};

// Narrows [oldest, next) by the offsets asked for (and by the offsets that the times
// asked for resolved to, when there were times): the span is empty when nothing is left.
struct Bounds {
  std::optional<std::int64_t> from_offset, until_offset;
  std::optional<std::int64_t> since_offset, until_time_offset;
};
Span narrow(Span retained, const Bounds& bounds);

// The headers a record carries when replay publishes it again: the Shopify headers and
// shopstream-received-at as they were; shopstream-source says replay; the deadletter
// headers are dropped (the record is no longer a deadletter).
std::vector<kafka::Header> republished_headers(const std::vector<kafka::Header>& headers);

// Where a record goes: `to` (a topic), or with `to` == "origin", the topic the record was
// deadlettered from ("" when it carries no shopstream-deadletter-topic header).
std::string republish_target(std::string_view to, const std::vector<kafka::Header>& headers);

// The line shown on a terminal while replay runs.
std::string progress_line(std::uint64_t read, std::uint64_t total, std::uint64_t matched,
                          double seconds);

}  // namespace shopstream::consumers::replay
