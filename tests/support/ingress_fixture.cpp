#include "tests/support/ingress_fixture.hpp"

#include <stdexcept>

#include "tests/support/wait.hpp"

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

IngressProcess::IngressProcess(const std::string& prefix, const std::filesystem::path& dir,
                               const std::map<std::string, std::string>& extra_env,
                               const std::vector<std::string>& launcher) {
  std::filesystem::create_directories(dir);
  const std::string ready = (dir / "ready.json").string();
  const std::string log = (dir / "ingress.log").string();
  std::map<std::string, std::string> env = {
      {"SHOPSTREAM_KAFKA_BROKERS", TestKafka::get().bootstrap()},
      {"SHOPIFY_API_SECRET", kSecret},
      {"SHOPSTREAM_TOPIC_PREFIX", prefix},
      {"SHOPSTREAM_TOPIC_REPLICATION", "1"},
      {"SHOPSTREAM_INGRESS_ADDR", "127.0.0.1:0"},
      {"SHOPSTREAM_METRICS_ADDR", "127.0.0.1:0"}};
  for (const auto& [k, v] : extra_env) env[k] = v;
  auto argv = launcher;
  for (const std::string a : {SHOPSTREAM_BINARY, "ingress", "--ready-file", ready.c_str()})
    argv.push_back(a);
  process_ = std::make_unique<ChildProcess>(argv, env, log);
  if (!wait_until([&] { return std::filesystem::exists(ready); }, std::chrono::seconds(60)))
    throw std::runtime_error("shopstream ingress did not start: " + read_file(log));
  const auto info = read_file(ready);
  port_ = url_port(json_field(info, "webhook_url"));
  metrics_port_ = url_port(json_field(info, "metrics_url"));
}

}  // namespace shopstream::test
