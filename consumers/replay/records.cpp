#include "consumers/replay/records.hpp"

#include <algorithm>
#include <cstdio>

#include "common/routing.hpp"

namespace shopstream::consumers::replay {

std::string resolve_topic(std::string_view prefix, std::string_view name) {
  for (auto s : {routing::Stream::kOrders, routing::Stream::kProducts, routing::Stream::kCustomers,
                 routing::Stream::kCompliance})
    if (name == routing::stream_name(s)) return routing::topic_name(prefix, s);
  if (name == "deadletter") return routing::deadletter_topic(prefix);
  return std::string(name);
}

Span narrow(Span s, const Bounds& b) {
  for (auto begin : {b.from_offset, b.since_offset})
    if (begin) s.begin = std::max(s.begin, *begin);
  for (auto end : {b.until_offset, b.until_time_offset})
    if (end) s.end = std::min(s.end, *end);
  if (s.end < s.begin) s.end = s.begin;
  return s;
}

std::vector<kafka::Header> republished_headers(const std::vector<kafka::Header>& headers) {
  std::vector<kafka::Header> out;
  out.reserve(headers.size() + 1);
  for (const auto& h : headers) {
    if (h.name == "shopstream-source" || h.name.rfind("shopstream-deadletter-", 0) == 0) continue;
    out.push_back(h);
  }
  out.push_back({"shopstream-source", "replay"});
  return out;
}

std::string republish_target(std::string_view to, const std::vector<kafka::Header>& headers) {
  if (to != "origin") return std::string(to);
  for (const auto& h : headers)
    if (h.name == "shopstream-deadletter-topic") return h.value;
  return "";
}

std::string progress_line(std::uint64_t read, std::uint64_t total, std::uint64_t matched,
                          double seconds) {
  char buf[160];
  const double rate = seconds > 0 ? static_cast<double>(read) / seconds : 0;
  const double percent =
      total ? 100.0 * static_cast<double>(read) / static_cast<double>(total) : 100;
  std::snprintf(buf, sizeof buf, "replay: %llu of %llu records (%.0f%%), %llu matched, %.0f/s",
                static_cast<unsigned long long>(read), static_cast<unsigned long long>(total),
                std::min(percent, 100.0), static_cast<unsigned long long>(matched), rate);
  return buf;
}

}  // namespace shopstream::consumers::replay
