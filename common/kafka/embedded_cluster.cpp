#include "common/kafka/embedded_cluster.hpp"

namespace shopstream::kafka {

Result<std::unique_ptr<EmbeddedCluster>> EmbeddedCluster::start(int brokers) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  // The mock cluster lives inside an rd_kafka_t; this one exists only to host it.
  rd_kafka_t* host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!host) {
    rd_kafka_conf_destroy(conf);
    return fail(std::string("embedded kafka: ") + err);
  }
  rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(host, brokers);
  if (!mc) {
    rd_kafka_destroy(host);
    return fail("embedded kafka: could not start the mock cluster");
  }
  return std::unique_ptr<EmbeddedCluster>(new EmbeddedCluster(host, mc, brokers));
}

EmbeddedCluster::EmbeddedCluster(rd_kafka_t* host, rd_kafka_mock_cluster_t* mc, int brokers)
    : host_(host),
      mcluster_(mc),
      brokers_(brokers),
      bootstrap_(rd_kafka_mock_cluster_bootstraps(mc)) {}

EmbeddedCluster::~EmbeddedCluster() {
  rd_kafka_mock_cluster_destroy(mcluster_);
  rd_kafka_destroy(host_);
}

std::optional<Error> EmbeddedCluster::create_topics(const std::vector<std::string>& topics,
                                                    int partitions) {
  for (const auto& t : topics) {
    auto err = rd_kafka_mock_topic_create(mcluster_, t.c_str(), partitions, 1);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
      return fail("embedded kafka: topic " + t + ": " + rd_kafka_err2str(err));
  }
  return std::nullopt;
}

void EmbeddedCluster::set_broker_down(int id) {
  rd_kafka_mock_broker_set_down(mcluster_, id);
}
void EmbeddedCluster::set_broker_up(int id) {
  rd_kafka_mock_broker_set_up(mcluster_, id);
}

}  // namespace shopstream::kafka
