#include "ingress/spool_format.hpp"

#include <array>
#include <optional>

namespace shopstream::ingress::spool_format {
namespace {

constexpr std::string_view kMagic = "SSP1";
constexpr std::size_t kFrameBytes = 12;  // magic, length, CRC

constexpr std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0x82F63B78u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr auto kTable = make_table();

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void put_str(std::string& out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

// Reads from the front of `in`, which it advances; nullopt when too short.
std::optional<std::uint32_t> get_u32(std::string_view& in) {
  if (in.size() < 4) return std::nullopt;
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  in.remove_prefix(4);
  return v;
}

std::optional<std::string> get_str(std::string_view& in) {
  auto n = get_u32(in);
  if (!n || in.size() < *n) return std::nullopt;
  std::string s(in.substr(0, *n));
  in.remove_prefix(*n);
  return s;
}

std::optional<kafka::Record> parse_body(std::string_view in) {
  kafka::Record r;
  auto topic = get_str(in);
  auto key = topic ? get_str(in) : std::nullopt;
  auto value = key ? get_str(in) : std::nullopt;
  auto count = value ? get_u32(in) : std::nullopt;
  if (!count) return std::nullopt;
  r.topic = std::move(*topic);
  r.key = std::move(*key);
  r.value = std::move(*value);
  for (std::uint32_t i = 0; i < *count; ++i) {
    auto name = get_str(in);
    auto v = name ? get_str(in) : std::nullopt;
    if (!v) return std::nullopt;
    r.headers.push_back({std::move(*name), std::move(*v)});
  }
  if (!in.empty()) return std::nullopt;
  return r;
}

}  // namespace

std::uint32_t crc32c(std::string_view data) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : data) c = kTable[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

void append_entry(const kafka::Record& record, std::string& out) {
  std::string body;
  put_str(body, record.topic);
  put_str(body, record.key);
  put_str(body, record.value);
  put_u32(body, static_cast<std::uint32_t>(record.headers.size()));
  for (const auto& h : record.headers) {
    put_str(body, h.name);
    put_str(body, h.value);
  }
  out.append(kMagic);
  put_u32(out, static_cast<std::uint32_t>(body.size()));
  put_u32(out, crc32c(body));
  out.append(body);
}

Decoded decode(std::string_view data) {
  Decoded d;
  std::string_view rest = data;
  while (rest.size() >= kFrameBytes && rest.substr(0, 4) == kMagic) {
    std::string_view frame = rest.substr(4);
    auto length = get_u32(frame);
    auto crc = get_u32(frame);
    if (!length || !crc || frame.size() < *length) break;
    auto body = frame.substr(0, *length);
    if (crc32c(body) != *crc) break;
    auto record = parse_body(body);
    if (!record) break;
    d.records.push_back(std::move(*record));
    rest.remove_prefix(kFrameBytes + *length);
    d.valid_bytes = data.size() - rest.size();
  }
  return d;
}

}  // namespace shopstream::ingress::spool_format
