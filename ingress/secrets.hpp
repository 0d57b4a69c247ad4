#pragma once
// The secrets a webhook may be signed with: the app's client secrets (current first, then
// old ones still valid during a rotation) and per-shop secrets for webhooks created in a
// store's admin. Each secret is kept as a prepared HMAC key, not as text. Immutable after
// construction; thread-safe.
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/crypto.hpp"
#include "common/result.hpp"

namespace shopstream::ingress {

class SecretStore {
 public:
  SecretStore(std::vector<std::string> app_secrets,
              std::unordered_map<std::string, std::vector<std::string>> per_shop);

  // Reads the per-shop file: one `shop.myshopify.com=secret` a line (a shop may have
  // several lines during a rotation); blank lines and lines starting with # are skipped.
  // Errors name the line, never the secret.
  static Result<SecretStore> load(std::vector<std::string> app_secrets,
                                  const std::string& shop_secrets_file);
  static Result<std::unordered_map<std::string, std::vector<std::string>>> parse_shop_secrets(
      std::string_view text);

  // Whether `signature` signs `body` with a secret of `shop` or with an app secret.
  bool verify(std::string_view shop, std::string_view body, std::string_view signature) const;
  bool empty() const { return app_.empty() && per_shop_.empty(); }
  std::size_t shop_count() const { return per_shop_.size(); }

 private:
  std::vector<HmacSha256> app_;
  std::unordered_map<std::string, std::vector<HmacSha256>> per_shop_;
};

}  // namespace shopstream::ingress
