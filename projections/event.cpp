#include "projections/event.hpp"

#include "common/kafka/message.hpp"

namespace shopstream::projections {

Event Event::from_message(const rd_kafka_message_t* m) {
  auto r = kafka::record_of(m);
  Event e;
  e.kafka_topic = std::move(r.topic);
  e.partition = m->partition;
  e.offset = m->offset;
  e.key = std::move(r.key);
  e.value = std::move(r.value);
  e.headers = std::move(r.headers);
  e.null_key = r.null_key;
  e.null_value = r.null_value;
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
