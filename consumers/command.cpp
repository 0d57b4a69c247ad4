#include "consumers/command.hpp"

#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/net_addr.hpp"
#include "common/ready_file.hpp"
#include "common/routing.hpp"
#include "common/signals.hpp"
#include "common/startup.hpp"
#include "schemas/migrations.hpp"

namespace shopstream::consumers {

const std::vector<std::string_view>& project_option_names() {
  static const std::vector<std::string_view> names = {
      "kafka-brokers", "kafka-properties", "topic-prefix", "topic-partitions", "topic-replication",
      "database-url",  "projector-group",  "metrics-addr", "ready-file",       "log-level"};
  return names;
}

Result<std::unique_ptr<BackgroundProjector>> BackgroundProjector::start(const Settings& s) {
  std::unique_ptr<BackgroundProjector> bp(new BackgroundProjector());
  auto producer = kafka::Producer::create({.brokers = s.kafka_brokers,
                                           .extra_properties = s.kafka_properties,
                                           .client_id = "shopstream-projector-deadletters"});
  if (!producer) return producer.error();
  bp->deadletters_ = std::move(producer.value());
  ProjectorOptions po{.brokers = s.kafka_brokers,
                      .kafka_properties = s.kafka_properties,
                      .topic_prefix = s.topic_prefix,
                      .database_url = s.database_url,
                      .group_id = s.projector_group};
  auto projector = Projector::create(po, *bp->deadletters_);
  if (!projector) return projector.error();
  bp->projector_ = std::move(projector.value());
  bp->thread_ = std::thread([p = bp.get()] {
    if (auto err = p->projector_->run(p->stop_))
      log::error("projector stopped", {{"error", err->message}});
  });
  return bp;
}

BackgroundProjector::~BackgroundProjector() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  projector_.reset();
  if (deadletters_) deadletters_->flush(std::chrono::seconds(10));
}

int run_project(const Settings& settings) {
  if (settings.kafka_brokers.empty())
    return startup_failure("SHOPSTREAM_KAFKA_BROKERS is required");
  if (settings.database_url.empty()) return startup_failure("SHOPSTREAM_DATABASE_URL is required");
  if (!schemas::ensure_schema(settings.database_url)) return 1;
  if (auto err = ensure_contract_topics(settings)) return startup_failure(err->message);
  auto endpoint = metrics::Endpoint::start(settings.metrics_addr);
  if (!endpoint) return startup_failure(endpoint.error().message);
  auto projector = BackgroundProjector::start(settings);
  if (!projector) return startup_failure(projector.error().message);
  log::info("projector running",
            {{"kafka", settings.kafka_brokers}, {"topic_prefix", settings.topic_prefix}});
  if (!settings.ready_file.empty())
    if (auto err = write_ready_file(
            settings.ready_file, {{"metrics_url", url_for(settings.metrics_addr,
                                                          endpoint.value()->port(), "/metrics")}}))
      return startup_failure(err->message);
  log::info("shutting down", {{"signal", wait_for_shutdown_signal()}});
  projector.value().reset();
  log::info("stopped");
  return 0;
}

}  // namespace shopstream::consumers
