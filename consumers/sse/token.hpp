#pragma once
// Per-shop dashboard access tokens: `base64url(shop "\n" expiry) "." base64url(HMAC)`,
// signed with SHOPSTREAM_DASHBOARD_SECRET. They grant read access to one shop's events
// and read models until they expire. Pure; thread-safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace shopstream::consumers::sse {

// `expires_at` in Unix seconds.
std::string mint_token(std::string_view secret, std::string_view shop, std::int64_t expires_at);

struct TokenClaims {
  std::string shop;
  std::int64_t expires_at = 0;
};

enum class TokenProblem { malformed, bad_signature, expired };
std::string_view describe(TokenProblem problem);

// The claims of a valid token at `now` (Unix seconds), or why it is not one.
std::variant<TokenClaims, TokenProblem> verify_token(std::string_view secret,
                                                     std::string_view token, std::int64_t now);

}  // namespace shopstream::consumers::sse
