#pragma once
// Reading librdkafka messages. Pure over the message; thread-safe.
#include <librdkafka/rdkafka.h>

#include <string_view>
#include <vector>

#include "common/kafka/producer.hpp"

namespace shopstream::kafka {

// The message's headers, in order; a header with a null value has an empty one, marked
// null_value.
std::vector<Header> headers_of(const rd_kafka_message_t* message);

// A copy of the message as a record for its own topic: key, value (null stays null)
// and headers.
Record record_of(const rd_kafka_message_t* message);

// The value of the first header called `name` (empty when there is none), without
// copying: valid while the message lives.
std::string_view header_view(const rd_kafka_message_t* message, const char* name);

}  // namespace shopstream::kafka
