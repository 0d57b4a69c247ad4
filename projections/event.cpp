#include "projections/event.hpp"

#include "common/kafka/message.hpp"

namespace shopstream::projections {

Event Event::from_message(const rd_kafka_message_t* m) {
  Event e;
  e.kafka_topic = rd_kafka_topic_name(m->rkt);
  e.partition = m->partition;
  e.offset = m->offset;
  if (m->key) e.key.assign(static_cast<const char*>(m->key), m->key_len);
  if (m->payload) e.value.assign(static_cast<const char*>(m->payload), m->len);
  e.headers = kafka::headers_of(m);
  return e;
}

const std::string& Event::header(std::string_view name) const {
  static const std::string kEmpty;
  for (const auto& h : headers)
    if (h.name == name) return h.value;
  return kEmpty;
}

const std::string& Event::event_time() const {
  const auto& t = header("x-shopify-triggered-at");
  return t.empty() ? header("shopstream-received-at") : t;
}

}  // namespace shopstream::projections
