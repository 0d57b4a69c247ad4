#pragma once
// The little of GraphQL the simulator needs: the selection of a query document's first
// operation (fields, arguments with $variables resolved, inline fragments merged), and
// Shopify's cost model over it. Pure; thread-safe.
#include <simdjson.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace shopstream::sim {

struct Field {
  std::string name;
  // Argument values as text: numbers and enums as written, strings unescaped, input
  // objects as minified JSON.
  std::map<std::string, std::string> args;
  std::vector<Field> children;
  const Field* child(std::string_view n) const;
  // The `first` argument: absent, or not a whole number (Shopify refuses "10abc"), nullopt.
  std::optional<int> first() const;
};

struct Operation {
  bool mutation = false;
  std::vector<Field> fields;  // the root fields
};

// `variables` may be null/absent. Errors name what could not be read.
Result<Operation> parse_operation(std::string_view document, simdjson::dom::element variables);

// Shopify's cost model: scalars and enums 0; objects 1; a connection (a field with a
// `first` argument) 2 + first × the cost of one item; pageInfo 0; mutations 10.
int requested_cost(const Operation& op);
// The same model over what was actually returned (`data`): connections by their items.
int actual_cost(simdjson::dom::element data, bool mutation);

}  // namespace shopstream::sim
