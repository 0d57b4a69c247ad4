#pragma once
// SSE resume cursors: the position of the stream in Kafka, as the next offset of every
// partition of the four streamed topics (orders, products, customers, compliance, in
// that order). A cursor sent with an event means "every record before these offsets has
// been seen", so resuming from it reads each partition from its offset: no gap, no
// duplicate. Encoded as versioned varints in URL-safe base64. Pure; thread-safe.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shopstream::consumers::sse {

constexpr std::size_t kStreams = 4;

struct Position {
  // offsets[stream][partition]: the next offset to read.
  std::array<std::vector<std::int64_t>, kStreams> offsets;

  bool operator==(const Position&) const = default;
  // Whether every partition of *this is at or past `other` (missing ones count as 0).
  bool covers(const Position& other) const;
  // The larger offset of the two, partition by partition.
  static Position max(const Position& a, const Position& b);
  std::int64_t at(std::size_t stream, std::size_t partition) const;
};

std::string encode_cursor(const Position& position);
// nullopt when `text` is not a cursor this version wrote.
std::optional<Position> decode_cursor(std::string_view text);

}  // namespace shopstream::consumers::sse
