#include "ingress/command.hpp"

#include "common/kafka/embedded_cluster.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/net_addr.hpp"
#include "common/postgres_probe.hpp"
#include "common/ready_file.hpp"
#include "common/routing.hpp"
#include "common/signals.hpp"
#include "common/startup.hpp"
#include "ingress/metrics.hpp"
#include "ingress/service.hpp"

namespace shopstream::ingress {
namespace {

// SIGHUP: the secrets read again (the per-shop file; the app secrets come from the
// environment and stay). On any error the secrets in use stay, and it says why.
void reload_secrets(IngressService& service, const Settings& settings) {
  auto& m = IngressMetrics::get();
  auto secrets = SecretStore::load(settings.api_secrets, settings.shop_secrets_file);
  if (!secrets) {
    m.secret_reloads.Add({{"result", "error"}}).Increment();
    log::warn("secrets not reloaded; the previous ones stay in use",
              {{"error", secrets.error().message}});
    return;
  }
  m.secret_reloads.Add({{"result", "ok"}}).Increment();
  m.shop_secrets.Set(static_cast<double>(secrets.value().shop_count()));
  log::info("secrets reloaded", {{"shops", secrets.value().shop_count()}});
  service.replace_secrets(std::move(secrets.value()));
}

}  // namespace

const std::vector<std::string_view>& option_names() {
  static const std::vector<std::string_view> names = {
      "kafka-brokers",     "kafka-properties", "topic-prefix",      "topic-partitions",
      "topic-replication", "api-secret",       "shop-secrets-file", "ingress-addr",
      "metrics-addr",      "ack-deadline",     "read-timeout",      "idle-timeout",
      "shutdown-timeout",  "dedup-window",     "dedup-capacity",    "max-body",
      "max-buffered",      "max-connections",  "threads",           "ready-file",
      "log-level",         "spool-dir",        "spool-max"};
  return names;
}

int run(const Settings& given, const RunOptions& options) {
  Settings settings = given;
  if (settings.api_secrets.empty() && settings.shop_secrets_file.empty())
    return startup_failure(
        "SHOPIFY_API_SECRET (or SHOPSTREAM_SHOP_SECRETS_FILE) is required to verify webhooks");
  auto secrets = SecretStore::load(settings.api_secrets, settings.shop_secrets_file);
  if (!secrets) return startup_failure(secrets.error().message);

  std::unique_ptr<kafka::EmbeddedCluster> embedded;
  if (settings.kafka_brokers.empty()) {
    if (!options.allow_embedded_kafka)
      return startup_failure("SHOPSTREAM_KAFKA_BROKERS is required (only `all` embeds Kafka)");
    auto cluster = kafka::EmbeddedCluster::start(1);
    if (!cluster) return startup_failure(cluster.error().message);
    embedded = std::move(cluster.value());
    settings.kafka_brokers = embedded->bootstrap();
    if (settings.topic_replication < 1) settings.topic_replication = 1;
    log::warn("embedded Kafka cluster started: NOT DURABLE, for local use only",
              {{"bootstrap", settings.kafka_brokers}});
  }

  kafka::ProducerOptions po;
  po.brokers = settings.kafka_brokers;
  po.extra_properties = settings.kafka_properties;
  po.client_id = "shopstream-ingress";
  if (embedded) po.linger = std::chrono::microseconds(500);  // see ProducerOptions::linger
  po.message_timeout = std::max(settings.ack_deadline * 2, std::chrono::milliseconds(10'000));
  auto producer = kafka::Producer::create(po);
  if (!producer) return startup_failure(producer.error().message);
  auto topics = routing::all_topics(settings.topic_prefix);
  if (auto err = embedded ? embedded->create_topics(topics, settings.topic_partitions)
                          : producer.value()->ensure_topics(topics, settings.topic_partitions,
                                                            settings.topic_replication,
                                                            std::chrono::seconds(30)))
    return startup_failure(err->message);

  std::unique_ptr<PostgresProbe> pg;
  if (options.check_postgres && !settings.database_url.empty()) {
    auto probe = PostgresProbe::start(settings.database_url, std::chrono::seconds(30));
    if (!probe) return startup_failure(probe.error().message);
    pg = std::move(probe.value());
  }

  Others others;
  if (options.start_others) {
    auto started = options.start_others(settings);
    if (!started) return startup_failure(started.error().message);
    others = std::move(started.value());
  }

  auto endpoint = metrics::Endpoint::start(settings.metrics_addr);
  if (!endpoint) return startup_failure(endpoint.error().message);

  IngressService::ReadyCheck ready;
  if (pg) ready = [p = pg.get()] { return p->reachable(); };
  IngressMetrics::get().shop_secrets.Set(static_cast<double>(secrets.value().shop_count()));
  auto service =
      IngressService::start(settings, *producer.value(), std::move(secrets.value()), ready);
  if (!service) return startup_failure(service.error().message);

  auto webhook_url = url_for(settings.ingress_addr, service.value()->port(), "/webhooks/shopify");
  auto metrics_url = url_for(settings.metrics_addr, endpoint.value()->port(), "/metrics");
  log::info("ingress serving", {{"webhook_url", webhook_url},
                                {"metrics_url", metrics_url},
                                {"kafka", settings.kafka_brokers},
                                {"embedded_kafka", embedded != nullptr},
                                {"topic_prefix", settings.topic_prefix}});
  if (!settings.ready_file.empty()) {
    std::vector<std::pair<std::string, std::string>> fields = {
        {"webhook_url", webhook_url},
        {"metrics_url", metrics_url},
        {"kafka_brokers", settings.kafka_brokers}};
    fields.insert(fields.end(), others.ready_fields.begin(), others.ready_fields.end());
    if (auto err = write_ready_file(settings.ready_file, fields))
      return startup_failure(err->message);
  }

  auto reload = [&] { reload_secrets(*service.value(), settings); };
  log::info("shutting down", {{"signal", wait_for_shutdown_signal(reload)}});
  bool clean = service.value()->stop();
  if (others.stop) others.stop();
  // Order matters: the producer's last delivery reports post to the service's threads.
  producer.value().reset();
  service.value().reset();
  log::info("stopped", {{"clean", clean}});
  return clean ? 0 : 1;
}

}  // namespace shopstream::ingress
