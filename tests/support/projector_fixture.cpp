#include "tests/support/projector_fixture.hpp"

#include <future>
#include <stdexcept>

#include "common/routing.hpp"
#include "common/time.hpp"
#include "ingress/webhook.hpp"
#include "schemas/migrations.hpp"
#include "tests/support/postgres.hpp"
#include "tests/support/wait.hpp"

namespace shopstream::test {

ProjectorFixture::ProjectorFixture() {
  auto& k = TestKafka::get();
  settings_.kafka_brokers = k.bootstrap();
  settings_.topic_prefix = unique_prefix();
  settings_.projector_group = "g-" + settings_.topic_prefix;
  settings_.database_url = fresh_database();
  k.create_topics(settings_.topic_prefix);
  auto m = schemas::migrate(settings_.database_url);
  if (!m) throw std::runtime_error(m.error().message);
  auto p = kafka::Producer::create({.brokers = settings_.kafka_brokers});
  if (!p) throw std::runtime_error(p.error().message);
  producer_ = std::move(p.value());
}

ProjectorFixture::~ProjectorFixture() {
  projector_.reset();
  producer_.reset();
}

void ProjectorFixture::publish(const std::string& shopify_topic, const std::string& body,
                               const std::string& triggered_at, const std::string& shop) {
  auto route = routing::route_for(shopify_topic);
  if (!route) throw std::runtime_error("unrouted topic " + shopify_topic);
  auto entity = ingress::entity_id(body, route->entity_path).value_or("");
  kafka::Record r;
  r.topic = routing::topic_name(settings_.topic_prefix, route->stream);
  r.key = routing::record_key(shop, entity);
  r.value = body;
  r.headers = {{"x-shopify-topic", shopify_topic},
               {"x-shopify-shop-domain", shop},
               {"x-shopify-webhook-id", "wh-" + std::to_string(published_)},
               {"x-shopify-triggered-at", triggered_at},
               {"shopstream-received-at", time::format_rfc3339_ms(time::now())},
               {"shopstream-source", "webhook"}};
  std::promise<bool> acked;
  if (auto err = producer_->produce(std::move(r),
                                    [&](const kafka::Delivery& d) { acked.set_value(d.ok()); }))
    throw std::runtime_error(err->message);
  if (!acked.get_future().get()) throw std::runtime_error("publish failed");
  ++published_;
}

void ProjectorFixture::start() {
  auto p = consumers::BackgroundProjector::start(settings_);
  if (!p) throw std::runtime_error(p.error().message);
  projector_ = std::move(p.value());
}

void ProjectorFixture::stop() {
  projector_.reset();
}

pqxx::result ProjectorFixture::query(const std::string& sql) {
  pqxx::connection c(settings_.database_url);
  pqxx::nontransaction tx(c);
  return tx.exec(sql);
}

bool ProjectorFixture::caught_up(std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        auto r = query("SELECT coalesce(sum(next_offset), 0) FROM shopstream.consumer_offsets");
        return r[0][0].as<std::size_t>() >= published_;
      },
      timeout, std::chrono::milliseconds(50));
}

std::vector<ConsumedRecord> ProjectorFixture::deadletters() const {
  return read_topic(settings_.kafka_brokers, routing::deadletter_topic(settings_.topic_prefix));
}

}  // namespace shopstream::test
