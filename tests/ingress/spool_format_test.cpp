// The local spool's framing: what is written reads back exactly, and a torn or damaged
// tail loses only itself.
#include "ingress/spool_format.hpp"

#include <doctest/doctest.h>

using namespace shopstream;
using namespace shopstream::ingress;

namespace {
kafka::Record record(int i) {
  return {.topic = "shopify.orders",
          .key = "demo.myshopify.com/" + std::to_string(i),
          .value = R"({"id":)" + std::to_string(i) + R"(,"note":"caf\u00e9 ☕ \/ \u0000"})" +
                   std::string(1, '\0') + "tail",
          .headers = {{"x-shopify-topic", "orders/create"},
                      {"x-shopify-webhook-id", "w-" + std::to_string(i)},
                      {"empty", ""}}};
}

void check_same(const kafka::Record& a, const kafka::Record& b) {
  CHECK(a.topic == b.topic);
  CHECK(a.key == b.key);
  CHECK(a.value == b.value);
  REQUIRE(a.headers.size() == b.headers.size());
  for (std::size_t i = 0; i < a.headers.size(); ++i) {
    CHECK(a.headers[i].name == b.headers[i].name);
    CHECK(a.headers[i].value == b.headers[i].value);
  }
}
}  // namespace

TEST_CASE("CRC-32C matches the published check value") {
  CHECK(spool_format::crc32c("123456789") == 0xE3069283u);  // RFC 3720 / iSCSI check value
  CHECK(spool_format::crc32c("") == 0u);
}

TEST_CASE("records read back byte for byte, in order") {
  std::string file;
  for (int i = 0; i < 3; ++i) spool_format::append_entry(record(i), file);
  kafka::Record bare{.topic = "t", .key = "", .value = "", .headers = {}};
  spool_format::append_entry(bare, file);
  auto d = spool_format::decode(file);
  CHECK(d.valid_bytes == file.size());
  REQUIRE(d.records.size() == 4);
  for (int i = 0; i < 3; ++i) check_same(d.records[static_cast<std::size_t>(i)], record(i));
  check_same(d.records[3], bare);
}

TEST_CASE("a torn last entry is dropped at every length; the ones before it stay") {
  std::string whole;
  spool_format::append_entry(record(1), whole);
  spool_format::append_entry(record(2), whole);
  std::string first;
  spool_format::append_entry(record(1), first);
  for (std::size_t cut = first.size(); cut < whole.size(); ++cut) {
    auto d = spool_format::decode(std::string_view(whole).substr(0, cut));
    REQUIRE(d.records.size() == 1);
    CHECK(d.valid_bytes == first.size());
  }
}

TEST_CASE("a damaged byte stops reading at its entry") {
  std::string file;
  for (int i = 0; i < 3; ++i) spool_format::append_entry(record(i), file);
  std::string one;
  spool_format::append_entry(record(0), one);
  for (std::size_t at : {one.size() + 2, one.size() + 6, one.size() + 10, one.size() + 40}) {
    std::string damaged = file;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x5A);
    auto d = spool_format::decode(damaged);
    INFO("byte " << at);
    CHECK(d.records.size() == 1);
    CHECK(d.valid_bytes == one.size());
  }
}
