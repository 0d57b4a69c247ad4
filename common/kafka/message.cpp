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
    out.push_back({name, value ? std::string(static_cast<const char*>(value), size) : ""});
  return out;
}

}  // namespace shopstream::kafka
