#include "ingress/shop_domain.hpp"

namespace shopstream::ingress {

std::optional<std::string> normalize_shop_domain(std::string_view text) {
  static constexpr std::string_view kSuffix = ".myshopify.com";
  if (text.size() <= kSuffix.size() || text.size() > 63 + kSuffix.size()) return std::nullopt;
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (out.compare(out.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) return std::nullopt;
  std::string_view label(out.data(), out.size() - kSuffix.size());
  if (label.front() == '-' || label.back() == '-') return std::nullopt;
  for (char c : label) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return std::nullopt;
  }
  return out;
}

}  // namespace shopstream::ingress
