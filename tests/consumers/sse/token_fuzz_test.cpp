// Fuzzing dashboard tokens as browsers send them: whatever is changed in a valid token,
// it is refused, or it still grants exactly what was signed (never another shop, never a
// later expiry). Forging needs the secret.
#include <doctest/doctest.h>

#include "consumers/sse/token.hpp"
#include "tests/support/fuzz.hpp"

using namespace shopstream::consumers::sse;
using shopstream::test::fuzz;

TEST_CASE("fuzz: a changed token is refused or grants exactly what was signed") {
  const std::string secret = "dashboard-secret";
  const std::int64_t now = 1'764'000'000;
  const std::vector<std::string> corpus = {
      mint_token(secret, "alpha.myshopify.com", now + 3600),
      mint_token(secret, "beta.myshopify.com", now + 60),
      mint_token("another-secret", "alpha.myshopify.com", now + 86'400 * 365)};
  fuzz(corpus, {".", "-", "_", "=", "A", "\n"}, [&](const std::string& token, std::size_t run) {
    CAPTURE(run);
    CAPTURE(token);
    auto got = verify_token(secret, token, now);
    auto* claims = std::get_if<TokenClaims>(&got);
    if (!claims) return;
    const bool alpha = claims->shop == "alpha.myshopify.com" && claims->expires_at == now + 3600;
    const bool beta = claims->shop == "beta.myshopify.com" && claims->expires_at == now + 60;
    CHECK((alpha || beta));
  });
}
