#pragma once
// HMAC-SHA256, constant-time comparison and base64 (standard and URL-safe): the one
// place that talks to OpenSSL. Pure; thread-safe.
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct evp_mac_ctx_st;

namespace shopstream {

// The 32 raw bytes of HMAC-SHA256(key, message).
std::string hmac_sha256(std::string_view key, std::string_view message);

// HMAC-SHA256 with a key prepared once: OpenSSL's algorithm fetch and the key schedule
// are paid at construction, not per message (HMAC() pays both on every call, which
// showed up as ~6% of an ingress thread), and a working context is reused, reset to the
// key, rather than copied for each message (a copy is six allocations). Thread-safe.
// Aborts if OpenSSL cannot allocate (there is nothing sensible to answer then).
class HmacSha256 {
 public:
  using Mac = std::array<unsigned char, 32>;
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(HmacSha256&& other) noexcept;
  HmacSha256& operator=(HmacSha256&& other) noexcept;
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  Mac operator()(std::string_view message) const;

 private:
  struct Idle;             // contexts done with a message, reset to the key for the next one
  evp_mac_ctx_st* keyed_;  // copied for a new working context, never changed
  std::unique_ptr<Idle> idle_;
};

// Equal contents, in time that depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

// Standard alphabet with padding (RFC 4648 §4), or URL-safe without padding (§5).
std::string base64_encode(std::string_view bytes);
// The same, into `out`, which must hold 4 * ceil(n / 3) + 1 chars (a NUL follows the
// text); returns the text's length.
std::size_t base64_encode(std::string_view bytes, char* out);
std::string base64url_encode(std::string_view bytes);
// nullopt when `text` is not URL-safe base64 without padding.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace shopstream
