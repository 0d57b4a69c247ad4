#pragma once
// HMAC-SHA256, constant-time comparison and base64 (standard and URL-safe): the one
// place that talks to OpenSSL. Pure; thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace shopstream {

// The 32 raw bytes of HMAC-SHA256(key, message).
std::string hmac_sha256(std::string_view key, std::string_view message);

// Equal contents, in time that depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

// Standard alphabet with padding (RFC 4648 §4), or URL-safe without padding (§5).
std::string base64_encode(std::string_view bytes);
std::string base64url_encode(std::string_view bytes);
// nullopt when `text` is not URL-safe base64 without padding.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace shopstream
