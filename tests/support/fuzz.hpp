#pragma once
// Mutation fuzzing inside the test suite, for the code that reads outside input (webhooks,
// Kafka records, spool files, cursors, query strings, raw HTTP). Inputs grow from a corpus
// of valid ones by random edits: bytes flipped or replaced, tokens of the format inserted,
// ranges deleted, repeated or spliced from another input, truncation. From a fixed seed, so
// a failure reproduces; the sanitizer build turns memory errors into failures.
// SHOPSTREAM_FUZZ_RUNS (default 3,000 a target) and SHOPSTREAM_FUZZ_SEED change the run.
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace shopstream::test {

// Tokens worth inserting into JSON texts.
extern const std::vector<std::string_view> kJsonTokens;
// Tokens worth inserting into HTTP/1.1 requests.
extern const std::vector<std::string_view> kHttpTokens;

class Mutator {
 public:
  Mutator(std::uint64_t seed, std::vector<std::string_view> tokens);
  // `input` with one to four random edits; `corpus` supplies splices.
  std::string mutate(std::string_view input, const std::vector<std::string>& corpus);
  std::size_t below(std::size_t n);  // uniform in [0, n), n > 0

 private:
  void edit(std::string& s, const std::vector<std::string>& corpus);
  std::mt19937_64 rng_;
  std::vector<std::string_view> tokens_;
};

std::size_t fuzz_runs();
std::uint64_t fuzz_seed();

// Calls `check(input, run)` on each corpus entry, then on fuzz_runs() mutants of them.
void fuzz(const std::vector<std::string>& corpus, const std::vector<std::string_view>& tokens,
          const std::function<void(const std::string& input, std::size_t run)>& check);

}  // namespace shopstream::test
