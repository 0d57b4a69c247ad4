#pragma once
// Shop domains: "{handle}.myshopify.com". Pure; thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace shopstream::ingress {

// The lower-cased domain, or nullopt when `text` is not a *.myshopify.com domain
// (one DNS label of letters, digits and hyphens before ".myshopify.com").
std::optional<std::string> normalize_shop_domain(std::string_view text);

}  // namespace shopstream::ingress
