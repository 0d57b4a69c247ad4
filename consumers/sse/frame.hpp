#pragma once
// The bytes of one Server-Sent Event (DESIGN.md "SSE"): `id:` the resume cursor, `event:`
// the Shopify topic, `data:` one line of JSON with topic, shop_domain, id (the entity),
// source, received_at, webhook_id, triggered_at and payload (the webhook body). Built once
// per record and written as is to every subscriber. Pure; thread-safe.
#include <optional>
#include <string>
#include <string_view>

#include "consumers/sse/cursor.hpp"
#include "projections/event.hpp"

namespace shopstream::consumers::sse {

std::string format_event(const projections::Event& event, std::string_view cursor);
// For a client whose cursor `floor` is ahead of this server in some partition: `frame`
// with its cursor raised to cover `floor`, or nullopt when it already does (send it as
// is). Never hands out a cursor behind what the client has seen.
std::optional<std::string> with_cursor_at_least(std::string_view frame, const Position& floor);

// A comment line (ignored by EventSource): heartbeats and notices.
std::string format_comment(std::string_view text);
// The entity id of a record key "{shop}/{entity}" ("" for shop-level records).
std::string_view entity_of_key(std::string_view key);

}  // namespace shopstream::consumers::sse
