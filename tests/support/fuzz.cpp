#include "tests/support/fuzz.hpp"

#include <algorithm>
#include <cstdlib>

namespace shopstream::test {
using namespace std::string_view_literals;

const std::vector<std::string_view> kJsonTokens = {"{",
                                                   "}",
                                                   "[",
                                                   "]",
                                                   ":",
                                                   ",",
                                                   "\"",
                                                   "\\",
                                                   "\\u0000",
                                                   "\\ud800",
                                                   "\\/",
                                                   "null",
                                                   "true",
                                                   "-0",
                                                   "1e999",
                                                   "-1",
                                                   "0.5",
                                                   "9223372036854775807",
                                                   "18446744073709551616",
                                                   "\"id\":",
                                                   "\"id\":\"1/2\"",
                                                   "{}",
                                                   "[]",
                                                   "\0"sv,
                                                   "\xff",
                                                   "\xc3\x28",
                                                   "\xe2\x98\x95",
                                                   "\"updated_at\":\"2026-13-45T99:99:99Z\"",
                                                   "  ",
                                                   "\n"};

const std::vector<std::string_view> kHttpTokens = {"\r\n",
                                                   "\r\n\r\n",
                                                   "\n",
                                                   ":",
                                                   " ",
                                                   "\t",
                                                   "\0"sv,
                                                   "\xff",
                                                   "Content-Length: ",
                                                   "Transfer-Encoding: chunked\r\n",
                                                   "0\r\n\r\n",
                                                   "ffffffffffffffff\r\n",
                                                   "-1",
                                                   "99999999999",
                                                   "Expect: 100-continue\r\n",
                                                   "Connection: close\r\n",
                                                   "HTTP/1.0",
                                                   "HTTP/9.9",
                                                   " /x?a=%zz ",
                                                   "Content-Length: 5\r\nContent-Length: 6\r\n",
                                                   "Host: \r\n",
                                                   "\xc3\x28",
                                                   "GET ",
                                                   "POST "};

Mutator::Mutator(std::uint64_t seed, std::vector<std::string_view> tokens)
    : rng_(seed), tokens_(std::move(tokens)) {}

std::size_t Mutator::below(std::size_t n) {
  return static_cast<std::size_t>(rng_() % n);
}

std::string Mutator::mutate(std::string_view input, const std::vector<std::string>& corpus) {
  std::string s(input);
  for (std::size_t i = 0, n = 1 + below(4); i < n; ++i) edit(s, corpus);
  return s;
}

void Mutator::edit(std::string& s, const std::vector<std::string>& corpus) {
  const std::size_t at = below(s.size() + 1);
  auto len = [&] { return std::min<std::size_t>(1 + below(16), s.size() - at); };
  switch (below(8)) {
    case 0:  // flip a bit
      if (at < s.size()) s[at] = static_cast<char>(s[at] ^ (1 << below(8)));
      break;
    case 1:  // replace a byte
      if (at < s.size()) s[at] = static_cast<char>(below(256));
      break;
    case 2:  // insert a token
      if (!tokens_.empty()) s.insert(at, tokens_[below(tokens_.size())]);
      break;
    case 3:  // delete a range
      if (at < s.size()) s.erase(at, len());
      break;
    case 4:  // repeat a range
      if (at < s.size()) s.insert(at, s.substr(at, len()));
      break;
    case 5: {  // splice: our head, another input's tail
      const auto& other = corpus[below(corpus.size())];
      s = s.substr(0, at) + other.substr(std::min(at, other.size()));
      break;
    }
    case 6:  // truncate
      s.resize(at);
      break;
    default:  // overwrite a range with a token
      if (!tokens_.empty() && at < s.size()) s.replace(at, len(), tokens_[below(tokens_.size())]);
      break;
  }
}

std::size_t fuzz_runs() {
  if (const char* v = std::getenv("SHOPSTREAM_FUZZ_RUNS")) return std::strtoull(v, nullptr, 10);
  return 3000;
}

std::uint64_t fuzz_seed() {
  if (const char* v = std::getenv("SHOPSTREAM_FUZZ_SEED")) return std::strtoull(v, nullptr, 10);
  return 20261201;
}

void fuzz(const std::vector<std::string>& corpus, const std::vector<std::string_view>& tokens,
          const std::function<void(const std::string& input, std::size_t run)>& check) {
  std::size_t run = 0;
  for (const auto& c : corpus) check(c, run++);
  Mutator m(fuzz_seed(), tokens);
  for (std::size_t i = 0, n = fuzz_runs(); i < n; ++i)
    check(m.mutate(corpus[m.below(corpus.size())], corpus), run++);
}

}  // namespace shopstream::test
