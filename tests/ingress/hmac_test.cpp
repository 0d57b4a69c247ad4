#include "ingress/hmac.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

using namespace shopstream::ingress;

namespace {
struct Vector {
  std::string name, secret, body, signature;
};

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::vector<Vector> load_vectors() {
  std::ifstream in(SHOPSTREAM_TEST_VECTORS "/hmac_sha256.tsv");
  std::vector<Vector> out;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() == 3) cols.insert(cols.begin() + 2, "");  // empty body
    REQUIRE(cols.size() == 4);
    out.push_back({cols[0], from_hex(cols[1]), from_hex(cols[2]), cols[3]});
  }
  return out;
}
}  // namespace

TEST_CASE("signatures equal those of Node's crypto (vectors re-checked with openssl)") {
  auto vectors = load_vectors();
  REQUIRE(vectors.size() >= 10);
  for (const auto& v : vectors) {
    CAPTURE(v.name);
    CHECK(sign(v.secret, v.body) == v.signature);
    CHECK(signature_matches(v.secret, v.body, v.signature));
  }
}

TEST_CASE("re-serialised bodies do not verify: the raw bytes are what is signed") {
  auto vectors = load_vectors();
  const Vector* escaped = nullptr;
  const Vector* unescaped = nullptr;
  for (const auto& v : vectors) {
    if (v.name == "escaped_slashes") escaped = &v;
    if (v.name == "unescaped_slashes") unescaped = &v;
  }
  REQUIRE(escaped);
  REQUIRE(unescaped);
  // The same JSON value, serialised two ways: only the bytes that were signed verify.
  CHECK(escaped->signature != unescaped->signature);
  CHECK_FALSE(signature_matches(escaped->secret, unescaped->body, escaped->signature));
  CHECK(signature_matches(escaped->secret, escaped->body, escaped->signature));
}

TEST_CASE("wrong secret, truncated, altered or non-base64 signatures fail") {
  const std::string body = R"({"id":1})";
  auto good = sign("secret", body);
  CHECK_FALSE(signature_matches("other", body, good));
  CHECK_FALSE(signature_matches("secret", body, good.substr(0, 43)));
  CHECK_FALSE(signature_matches("secret", body, good + "="));
  auto altered = good;
  altered[5] = altered[5] == 'A' ? 'B' : 'A';
  CHECK_FALSE(signature_matches("secret", body, altered));
  CHECK_FALSE(signature_matches("secret", body, ""));
  CHECK_FALSE(signature_matches("secret", body, std::string(44, '!')));
  CHECK_FALSE(signature_matches("secret", body + " ", good));
}

TEST_CASE("a prepared key verifies every vector many times over, from several threads at once") {
  auto vectors = load_vectors();
  std::vector<shopstream::HmacSha256> keys, wrong_keys;
  for (const auto& v : vectors) {
    keys.emplace_back(v.secret);
    wrong_keys.emplace_back(v.secret + "x");
  }
  // The keyed context is shared, and working contexts are reset to the key and reused:
  // were either changed by use, the second round, a concurrent thread or the next
  // message (another vector's body through the same key) would see a different MAC.
  std::atomic<int> matched{0}, mismatched{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int round = 0; round < 50; ++round)
        for (std::size_t i = 0; i < vectors.size(); ++i) {
          const auto& v = vectors[i];
          const auto& other = vectors[(i + 1) % vectors.size()].body;
          bool ok = signature_matches(keys[i], v.body, v.signature) &&
                    !signature_matches(wrong_keys[i], v.body, v.signature) &&
                    keys[i](other) == shopstream::HmacSha256(v.secret)(other);
          (ok ? matched : mismatched)++;
        }
    });
  for (auto& t : threads) t.join();
  CHECK(mismatched.load() == 0);
  CHECK(matched.load() == 4 * 50 * static_cast<int>(vectors.size()));
}
