#include "consumers/sse/cursor.hpp"

#include <algorithm>

#include "common/crypto.hpp"

namespace shopstream::consumers::sse {
namespace {

constexpr char kVersion = 1;
constexpr std::uint64_t kMaxPartitions = 10'000;  // as config allows

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

std::optional<std::uint64_t> get_varint(std::string_view& in) {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    auto byte = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return v;
  }
  return std::nullopt;
}

}  // namespace

std::int64_t Position::at(std::size_t stream, std::size_t partition) const {
  const auto& p = offsets[stream];
  return partition < p.size() ? p[partition] : 0;
}

bool Position::covers(const Position& other) const {
  for (std::size_t s = 0; s < kStreams; ++s)
    for (std::size_t p = 0; p < other.offsets[s].size(); ++p)
      if (at(s, p) < other.offsets[s][p]) return false;
  return true;
}

Position Position::max(const Position& a, const Position& b) {
  Position out;
  for (std::size_t s = 0; s < kStreams; ++s) {
    auto n = std::max(a.offsets[s].size(), b.offsets[s].size());
    out.offsets[s].resize(n);
    for (std::size_t p = 0; p < n; ++p) out.offsets[s][p] = std::max(a.at(s, p), b.at(s, p));
  }
  return out;
}

std::string encode_cursor(const Position& position) {
  std::string bytes(1, kVersion);
  for (const auto& partitions : position.offsets) {
    put_varint(bytes, partitions.size());
    for (auto offset : partitions)
      put_varint(bytes, static_cast<std::uint64_t>(std::max<std::int64_t>(offset, 0)));
  }
  return base64url_encode(bytes);
}

std::optional<Position> decode_cursor(std::string_view text) {
  if (text.empty() || text.size() > 64 * 1024) return std::nullopt;
  auto bytes = base64url_decode(text);
  if (!bytes || bytes->empty() || bytes->front() != kVersion) return std::nullopt;
  std::string_view in(*bytes);
  in.remove_prefix(1);
  Position out;
  for (auto& partitions : out.offsets) {
    auto n = get_varint(in);
    if (!n || *n > kMaxPartitions) return std::nullopt;
    partitions.reserve(*n);
    for (std::uint64_t i = 0; i < *n; ++i) {
      auto offset = get_varint(in);
      if (!offset || *offset > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
      partitions.push_back(static_cast<std::int64_t>(*offset));
    }
  }
  if (!in.empty()) return std::nullopt;
  return out;
}

}  // namespace shopstream::consumers::sse
