#include "ingress/hmac.hpp"

namespace shopstream::ingress {

std::string sign(std::string_view secret, std::string_view body) {
  return base64_encode(hmac_sha256(secret, body));
}

bool signature_matches(std::string_view secret, std::string_view body, std::string_view signature) {
  return signature_matches(HmacSha256(secret), body, signature);
}

bool signature_matches(const HmacSha256& key, std::string_view body, std::string_view signature) {
  const auto mac = key(body);
  char expected[45];  // base64 of 32 bytes, padded, and the NUL EVP_EncodeBlock adds
  auto n = base64_encode({reinterpret_cast<const char*>(mac.data()), mac.size()}, expected);
  return constant_time_equal({expected, n}, signature);
}

}  // namespace shopstream::ingress
