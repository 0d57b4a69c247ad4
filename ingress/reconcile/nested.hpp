#pragma once
// Nodes a list page cut short, made whole. A nested connection whose page ended with
// hasNextPage (an order's line items, a refund's lines, a product's variants) is read on
// from its endCursor by its parent's id (queries.hpp), and the node is written out again
// with every item in that one connection, so the mapping reads it as if a single page had
// held them all. Pure but for `fetch`.
#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace shopstream::ingress::reconcile {

// Sends one GraphQL document (AdminClient::query): the answer's body, or an Error.
using Fetch = std::function<Result<std::string>(
    std::string_view document, const std::string& variables_json, double requested_estimate)>;

// `object` as JSON text, the fields named in `replace` given those raw JSON values
// instead of their own.
std::string with_fields(simdjson::dom::object object,
                        const std::map<std::string, std::string, std::less<>>& replace);

// The text of an order or product node (a list page's) with each nested connection that
// had a next page read to its end; `bucket` (0: unknown) bounds a page's cost, as the
// single-query limit does. nullopt: the parent is gone at the source (the answer's
// order/product/refund is null). Error: a failed call, or an answer without the
// connection or whose cursor does not move on.
Result<std::optional<std::string>> read_rest_of_order(simdjson::dom::element node,
                                                      const Fetch& fetch, double bucket);
Result<std::optional<std::string>> read_rest_of_product(simdjson::dom::element node,
                                                        const Fetch& fetch, double bucket);

// The ids of all the refunds of an order node (a list page's holds five at most), one
// query of ids only: far cheaper than reading them whole, to learn whether any is new.
struct RefundIds {
  bool gone = false;     // the order is no longer at the source
  bool complete = true;  // false: more than one query lists (250 or more)
  std::vector<std::int64_t> ids;
};
Result<RefundIds> read_refund_ids(simdjson::dom::element order, const Fetch& fetch, double bucket);

}  // namespace shopstream::ingress::reconcile
