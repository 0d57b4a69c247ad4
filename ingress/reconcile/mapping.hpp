#pragma once
// GraphQL Admin API nodes → the webhook (REST) JSON shape, so a reconciled record is
// indistinguishable from a webhook to every consumer. Timestamps move from UTC to the
// shop's offset (the read models take the shop-local day from it); enums become REST's
// lower-case words; gids and legacy ids become numeric ids. Pure; thread-safe; a node
// missing what a payload needs is an Error naming the field.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/timezone.hpp"

namespace shopstream::ingress::reconcile {

struct MappedRefund {
  std::int64_t id = 0;
  std::string payload;  // refunds/create
};

struct Mapped {
  std::int64_t id = 0;
  std::int64_t updated_at = 0;  // epoch seconds
  std::string updated_at_text;  // as the node said (UTC)
  std::string payload;          // orders/updated, products/update or customers/update
  std::vector<MappedRefund> refunds;
  // A nested list had more than was fetched: publishing would drop the rest.
  bool truncated = false;
};

// The shop's UTC offset at an instant: from its IANA zone (`shop.ianaTimezone`) when the
// system's tz database has it, so daylight saving moves with the date; else the fixed
// offset the Admin API reported (`shop.timezoneOffsetMinutes`, today's).
struct ShopClock {
  std::optional<TimeZone> zone;
  int fixed_minutes = 0;
  int offset_at(std::int64_t utc_seconds) const {
    return zone ? zone->offset_minutes_at(utc_seconds) : fixed_minutes;
  }
};

Result<Mapped> map_order(simdjson::dom::element node, const ShopClock& clock);
Result<Mapped> map_product(simdjson::dom::element node, const ShopClock& clock);
Result<Mapped> map_customer(simdjson::dom::element node, const ShopClock& clock);

// Whether a connection ({pageInfo, edges}; an error or absent: no) has a next page.
bool has_next_page(simdjson::simdjson_result<simdjson::dom::element> connection);

// The number at the end of a gid ("gid://shopify/LineItem/123" → 123) or a plain number.
std::optional<std::int64_t> numeric_id(std::string_view id);

}  // namespace shopstream::ingress::reconcile
