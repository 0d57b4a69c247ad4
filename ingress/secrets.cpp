#include "ingress/secrets.hpp"

#include <fstream>
#include <sstream>

#include "ingress/hmac.hpp"
#include "ingress/shop_domain.hpp"

namespace shopstream::ingress {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

SecretStore::SecretStore(std::vector<std::string> app_secrets,
                         std::unordered_map<std::string, std::vector<std::string>> per_shop) {
  for (const auto& s : app_secrets) app_.emplace_back(s);
  for (const auto& [shop, secrets] : per_shop) {
    auto& keys = per_shop_[shop];
    for (const auto& s : secrets) keys.emplace_back(s);
  }
}

Result<std::unordered_map<std::string, std::vector<std::string>>> SecretStore::parse_shop_secrets(
    std::string_view text) {
  std::unordered_map<std::string, std::vector<std::string>> out;
  std::size_t line_no = 0, start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    auto line = trim(text.substr(start, nl - start));
    start = nl + 1;
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos)
      return fail("line " + std::to_string(line_no) + ": expected shop.myshopify.com=secret");
    auto shop = normalize_shop_domain(trim(line.substr(0, eq)));
    auto secret = trim(line.substr(eq + 1));
    if (!shop)
      return fail("line " + std::to_string(line_no) + ": not a *.myshopify.com shop domain");
    if (secret.empty()) return fail("line " + std::to_string(line_no) + ": empty secret");
    out[*shop].emplace_back(secret);
  }
  return out;
}

Result<SecretStore> SecretStore::load(std::vector<std::string> app_secrets,
                                      const std::string& path) {
  std::unordered_map<std::string, std::vector<std::string>> per_shop;
  if (!path.empty()) {
    std::ifstream in(path);
    if (!in) return fail("cannot read shop secrets file " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = parse_shop_secrets(ss.str());
    if (!parsed) return fail("shop secrets file " + path + ": " + parsed.error().message);
    per_shop = std::move(parsed.value());
  }
  return SecretStore(std::move(app_secrets), std::move(per_shop));
}

bool SecretStore::verify(std::string_view shop, std::string_view body,
                         std::string_view signature) const {
  if (!per_shop_.empty()) {
    if (auto normalized = normalize_shop_domain(shop)) {
      if (auto it = per_shop_.find(*normalized); it != per_shop_.end()) {
        for (const auto& s : it->second)
          if (signature_matches(s, body, signature)) return true;
      }
    }
  }
  for (const auto& s : app_)
    if (signature_matches(s, body, signature)) return true;
  return false;
}

}  // namespace shopstream::ingress
