// Fuzzing spool files as a crash, a bad disk or a stray writer could leave them: decoding
// never reads past the input, keeps exactly the whole entries before the damage, and a
// damaged byte inside an entry (CRC-32C finds every error of up to 32 bits) loses that
// entry and those after it, never returns a changed record.
#include <doctest/doctest.h>

#include "ingress/spool_format.hpp"
#include "tests/support/fuzz.hpp"

using namespace shopstream;
using namespace shopstream::ingress;
using shopstream::test::fuzz;

namespace {

std::vector<kafka::Record> records() {
  std::vector<kafka::Record> out;
  for (int i = 0; i < 4; ++i)
    out.push_back({.topic = "shopify.orders",
                   .key = "demo.myshopify.com/" + std::to_string(i),
                   .value = R"({"id":)" + std::to_string(i) + "}" + std::string(i * 7, '\0'),
                   .headers = {{"x-shopify-webhook-id", "w-" + std::to_string(i)}}});
  return out;
}

std::string encode(const std::vector<kafka::Record>& rs) {
  std::string out;
  for (const auto& r : rs) spool_format::append_entry(r, out);
  return out;
}

bool same(const kafka::Record& a, const kafka::Record& b) {
  if (a.topic != b.topic || a.key != b.key || a.value != b.value) return false;
  if (a.headers.size() != b.headers.size()) return false;
  for (std::size_t i = 0; i < a.headers.size(); ++i)
    if (a.headers[i].name != b.headers[i].name || a.headers[i].value != b.headers[i].value)
      return false;
  return true;
}

}  // namespace

TEST_CASE("fuzz: whatever a spool file holds, decoding keeps exactly its whole entries") {
  const auto rs = records();
  std::vector<std::string> corpus = {encode(rs), encode({rs[0]}), ""};
  fuzz(corpus, {"SSP1", std::string_view("\0\0\0\0", 4), "\xff\xff\xff\xff"},
       [](const std::string& data, std::size_t run) {
         CAPTURE(run);
         auto d = spool_format::decode(data);
         REQUIRE(d.valid_bytes <= data.size());
         // What was read is what those records encode to: nothing skipped, nothing invented.
         CHECK(encode(d.records) == data.substr(0, d.valid_bytes));
       });
}

TEST_CASE("fuzz: a damaged byte loses its entry and those after it, nothing else") {
  const auto rs = records();
  const std::string file = encode(rs);
  std::vector<std::size_t> ends;  // where each entry ends
  for (std::size_t i = 1; i <= rs.size(); ++i)
    ends.push_back(encode({rs.begin(), rs.begin() + i}).size());
  test::Mutator m(test::fuzz_seed(), {});
  for (std::size_t run = 0, n = test::fuzz_runs(); run < n; ++run) {
    CAPTURE(run);
    std::string damaged = file;
    const auto at = m.below(damaged.size());
    damaged[at] = static_cast<char>(damaged[at] ^ (1 + m.below(255)));  // a real change
    std::size_t whole = 0;  // entries wholly before the damaged byte
    while (ends[whole] <= at) ++whole;
    auto d = spool_format::decode(damaged);
    REQUIRE(d.records.size() == whole);
    for (std::size_t i = 0; i < whole; ++i) CHECK(same(d.records[i], rs[i]));
    CHECK(d.valid_bytes == (whole == 0 ? 0 : ends[whole - 1]));
  }
}
