#pragma once
// Shopify webhook signatures: base64(HMAC-SHA256(key = secret, message = raw body)).
// Pure; thread-safe.
#include <string>
#include <string_view>

#include "common/crypto.hpp"

namespace shopstream::ingress {

// The value Shopify puts in X-Shopify-Hmac-Sha256 for `body` signed with `secret`.
std::string sign(std::string_view secret, std::string_view body);

// Whether `signature` (the header value) is `body` signed with `secret`. Compares in
// constant time for a given length; the length of a valid signature (44) is public.
bool signature_matches(std::string_view secret, std::string_view body, std::string_view signature);
// The same with a key prepared once (the ingress's path: no per-request key set-up).
bool signature_matches(const HmacSha256& key, std::string_view body, std::string_view signature);

}  // namespace shopstream::ingress
