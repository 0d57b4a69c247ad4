#include "consumers/sse/token.hpp"

#include <charconv>

#include "common/crypto.hpp"

namespace shopstream::consumers::sse {

std::string mint_token(std::string_view secret, std::string_view shop, std::int64_t expires_at) {
  std::string claims = base64url_encode(std::string(shop) + "\n" + std::to_string(expires_at));
  return claims + "." + base64url_encode(hmac_sha256(secret, claims));
}

std::string_view describe(TokenProblem problem) {
  switch (problem) {
    case TokenProblem::malformed:
      return "the access token is malformed";
    case TokenProblem::bad_signature:
      return "the access token's signature is not valid";
    case TokenProblem::expired:
      return "the access token has expired";
  }
  return "the access token is not valid";
}

std::variant<TokenClaims, TokenProblem> verify_token(std::string_view secret,
                                                     std::string_view token, std::int64_t now) {
  auto dot = token.find('.');
  if (dot == std::string_view::npos || token.size() > 1024) return TokenProblem::malformed;
  auto claims_part = token.substr(0, dot);
  auto signature = base64url_decode(token.substr(dot + 1));
  if (!signature) return TokenProblem::malformed;
  // The signature is checked before the claims are parsed: nothing unsigned is trusted.
  if (!constant_time_equal(hmac_sha256(secret, claims_part), *signature))
    return TokenProblem::bad_signature;
  auto claims = base64url_decode(claims_part);
  if (!claims) return TokenProblem::malformed;
  auto nl = claims->find('\n');
  if (nl == std::string::npos || nl == 0) return TokenProblem::malformed;
  TokenClaims out;
  out.shop = claims->substr(0, nl);
  const char* first = claims->data() + nl + 1;
  const char* last = claims->data() + claims->size();
  auto [end, ec] = std::from_chars(first, last, out.expires_at);
  if (ec != std::errc() || end != last) return TokenProblem::malformed;
  if (out.expires_at <= now) return TokenProblem::expired;
  return out;
}

}  // namespace shopstream::consumers::sse
