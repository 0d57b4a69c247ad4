#include "ingress/hmac.hpp"

#include "common/crypto.hpp"

namespace shopstream::ingress {

std::string sign(std::string_view secret, std::string_view body) {
  return base64_encode(hmac_sha256(secret, body));
}

bool signature_matches(std::string_view secret, std::string_view body, std::string_view signature) {
  return constant_time_equal(sign(secret, body), signature);
}

}  // namespace shopstream::ingress
