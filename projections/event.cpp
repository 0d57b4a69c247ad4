#include "projections/event.hpp"

namespace shopstream::projections {

const std::string& Event::header(std::string_view name) const {
  static const std::string kEmpty;
  for (const auto& h : headers)
    if (h.name == name) return h.value;
  return kEmpty;
}

const std::string& Event::event_time() const {
  const auto& t = header("x-shopify-triggered-at");
  return t.empty() ? header("shopstream-received-at") : t;
}

}  // namespace shopstream::projections
