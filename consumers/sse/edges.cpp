#include "consumers/sse/edges.hpp"

namespace shopstream::consumers::sse {

Result<Position> edge_position(kafka::Reader& reader, const std::vector<std::string>& topics,
                               const std::vector<int>& partition_counts, kafka::Reader::Edge edge,
                               std::chrono::milliseconds timeout) {
  std::vector<kafka::PartitionOffset> all;  // stream by stream, partition by partition
  for (std::size_t s = 0; s < kStreams; ++s)
    for (int p = 0; p < partition_counts[s]; ++p) all.push_back({topics[s], p, 0});
  auto found = reader.offsets_at(std::move(all), edge, timeout);
  if (!found) return found.error();
  Position position;
  std::size_t i = 0;
  for (std::size_t s = 0; s < kStreams; ++s)
    for (int p = 0; p < partition_counts[s]; ++p)
      position.offsets[s].push_back(found.value()[i++].offset);
  return position;
}

}  // namespace shopstream::consumers::sse
