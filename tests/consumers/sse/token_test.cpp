#include "consumers/sse/token.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "common/crypto.hpp"

using namespace shopstream;
using namespace shopstream::consumers::sse;

TEST_CASE("a minted token verifies for its shop until it expires") {
  auto t = mint_token("secret", "a.myshopify.com", 1000);
  auto ok = verify_token("secret", t, 999);
  REQUIRE(std::holds_alternative<TokenClaims>(ok));
  CHECK(std::get<TokenClaims>(ok).shop == "a.myshopify.com");
  CHECK(std::get<TokenClaims>(ok).expires_at == 1000);
  auto late = verify_token("secret", t, 1000);
  REQUIRE(std::holds_alternative<TokenProblem>(late));
  CHECK(std::get<TokenProblem>(late) == TokenProblem::expired);
}

TEST_CASE("tokens signed with another secret, altered or malformed are refused") {
  auto t = mint_token("secret", "a.myshopify.com", 1000);
  CHECK(std::get<TokenProblem>(verify_token("other", t, 0)) == TokenProblem::bad_signature);
  // Another shop's claims under the first token's signature.
  auto forged = base64url_encode("b.myshopify.com\n1000") + t.substr(t.find('.'));
  CHECK(std::get<TokenProblem>(verify_token("secret", forged, 0)) == TokenProblem::bad_signature);
  for (const std::string& bad :
       std::vector<std::string>{"", "nodot", ".", "abc.!!!", std::string(2000, 'a') + ".b"})
    CHECK(std::holds_alternative<TokenProblem>(verify_token("secret", bad, 0)));
  // Correctly signed claims without an expiry are malformed, not trusted.
  auto claims = base64url_encode("a.myshopify.com");
  auto unsigned_expiry = claims + "." + base64url_encode(hmac_sha256("secret", claims));
  CHECK(std::get<TokenProblem>(verify_token("secret", unsigned_expiry, 0)) ==
        TokenProblem::malformed);
}

TEST_CASE("base64url round-trips every length and rejects what it did not write") {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    auto enc = base64url_encode(bytes);
    CHECK(enc.find_first_of("+/=") == std::string::npos);
    auto dec = base64url_decode(enc);
    REQUIRE(dec);
    CHECK(*dec == bytes);
    bytes.push_back(static_cast<char>(i * 37));
  }
  CHECK_FALSE(base64url_decode("a"));     // impossible length
  CHECK_FALSE(base64url_decode("ab=="));  // padding is not ours
  CHECK_FALSE(base64url_decode("a+"));    // standard alphabet
  CHECK_FALSE(base64url_decode("AB"));    // non-zero trailing bits: not canonical
}
