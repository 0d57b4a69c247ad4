#pragma once
// One Kafka record of the contract's shape (DESIGN.md "Kafka"), as the projector sees it.
#include <cstdint>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "common/kafka/producer.hpp"

namespace shopstream::projections {

struct Event {
  // A copy of a consumed message (topic, position, key, value, headers).
  static Event from_message(const rd_kafka_message_t* message);

  std::string kafka_topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string key;
  std::string value;  // the webhook body, byte for byte
  std::vector<kafka::Header> headers;
  bool null_key = false, null_value = false;  // as read: see kafka::Record

  // The value of header `name` ("" when absent).
  const std::string& header(std::string_view name) const;
  const std::string& shopify_topic() const { return header("x-shopify-topic"); }
  const std::string& shop_domain() const { return header("x-shopify-shop-domain"); }
  // When the change happened: X-Shopify-Triggered-At, else when shopstream received it.
  const std::string& event_time() const;
};

}  // namespace shopstream::projections
