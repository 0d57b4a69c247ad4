#pragma once
// Where the streamed topics begin or end now: every partition's oldest retained offset,
// or the next one to be written, as a Position. One ListOffsets request per leader, never
// past `timeout` (see kafka::Reader::offsets_at).
#include <chrono>
#include <string>
#include <vector>

#include "common/kafka/reader.hpp"
#include "common/result.hpp"
#include "consumers/sse/cursor.hpp"

namespace shopstream::consumers::sse {

// `topics` and `partition_counts` by stream index, as the hub has them.
Result<Position> edge_position(kafka::Reader& reader, const std::vector<std::string>& topics,
                               const std::vector<int>& partition_counts, kafka::Reader::Edge edge,
                               std::chrono::milliseconds timeout);

}  // namespace shopstream::consumers::sse
