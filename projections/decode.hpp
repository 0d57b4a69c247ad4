#pragma once
// Decodes webhook payloads (simdjson On-Demand) into projections/payloads.hpp structs.
// Tolerant of what real payloads do: fields in any order, missing and null fields,
// money as strings or numbers, ids as numbers or strings, unknown fields. Everything
// bound for a typed column is validated here, so a bad payload is an Error with a clear
// reason and never reaches Postgres. A document must be valid JSON throughout, fields
// it does not read included. Pure; thread-safe; never throws.
#include <string_view>

#include "common/result.hpp"
#include "projections/payloads.hpp"

namespace shopstream::projections {

Result<Order> decode_order(std::string_view json);
Result<Product> decode_product(std::string_view json);
Result<Customer> decode_customer(std::string_view json);
Result<Refund> decode_refund(std::string_view json);
Result<Deletion> decode_deletion(std::string_view json);
Result<CustomerRedact> decode_customer_redact(std::string_view json);
Result<DataRequest> decode_data_request(std::string_view json);

// Validators, exposed for tests.
bool is_decimal(std::string_view s);    // -?digits(.digits)?
bool is_timestamp(std::string_view s);  // YYYY-MM-DDTHH:MM:SS(.frac)?(Z|±HH:MM)
// Adds two decimal strings exactly ("1.10" + "2.5" = "3.60").
std::string add_decimal(std::string_view a, std::string_view b);

}  // namespace shopstream::projections
