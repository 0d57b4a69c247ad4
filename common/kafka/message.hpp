#pragma once
// Reading librdkafka messages. Pure over the message; thread-safe.
#include <librdkafka/rdkafka.h>

#include <vector>

#include "common/kafka/producer.hpp"

namespace shopstream::kafka {

// The message's headers, in order; a header with a null value has an empty one.
std::vector<Header> headers_of(const rd_kafka_message_t* message);

}  // namespace shopstream::kafka
