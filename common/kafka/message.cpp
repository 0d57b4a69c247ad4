#include "common/kafka/message.hpp"

namespace shopstream::kafka {

std::vector<Header> headers_of(const rd_kafka_message_t* message) {
  std::vector<Header> out;
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(message, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) return out;
  const char* name;
  const void* value;
  size_t size;
  for (size_t i = 0;
       rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i)
    out.push_back(
        {name, value ? std::string(static_cast<const char*>(value), size) : "", value == nullptr});
  return out;
}

Record record_of(const rd_kafka_message_t* m) {
  Record r;
  r.topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "";
  r.null_key = m->key == nullptr;
  if (m->key) r.key.assign(static_cast<const char*>(m->key), m->key_len);
  r.null_value = m->payload == nullptr;
  if (m->payload) r.value.assign(static_cast<const char*>(m->payload), m->len);
  r.headers = headers_of(m);
  return r;
}

std::string_view header_view(const rd_kafka_message_t* message, const char* name) {
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(message, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  const void* value = nullptr;
  size_t size = 0;
  if (rd_kafka_header_get(hdrs, 0, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR || !value)
    return {};
  return {static_cast<const char*>(value), size};
}

}  // namespace shopstream::kafka
