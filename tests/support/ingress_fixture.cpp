#include "tests/support/ingress_fixture.hpp"

#include <stdexcept>

namespace shopstream::test {

IngressFixture::IngressFixture(const std::function<void(Settings&)>& adjust,
                               ingress::SecretStore secrets) {
  auto& k = TestKafka::get();
  settings_.kafka_brokers = k.bootstrap();
  settings_.topic_prefix = unique_prefix();
  settings_.ingress_addr = "127.0.0.1:0";
  settings_.threads = 2;
  settings_.shutdown_timeout = std::chrono::seconds(15);
  if (adjust) adjust(settings_);
  k.create_topics(settings_.topic_prefix);
  kafka::ProducerOptions po{
      .brokers = settings_.kafka_brokers,
      .message_timeout = std::max(settings_.ack_deadline * 2, std::chrono::milliseconds(10'000))};
  auto producer = kafka::Producer::create(po);
  if (!producer) throw std::runtime_error(producer.error().message);
  producer_ = std::move(producer.value());
  auto svc = ingress::IngressService::start(settings_, *producer_, std::move(secrets));
  if (!svc) throw std::runtime_error(svc.error().message);
  service_ = std::move(svc.value());
}

bool IngressFixture::stop() {
  stopped_ = true;
  return service_->stop();
}

IngressFixture::~IngressFixture() {
  if (!stopped_) service_->stop();
  producer_.reset();  // before the service: its last reports post to the service's threads
  service_.reset();
}

std::vector<ConsumedRecord> IngressFixture::read(const std::string& stream) const {
  return read_topic(settings_.kafka_brokers, settings_.topic_prefix + stream);
}

}  // namespace shopstream::test
