#pragma once
// librdkafka's in-process mock cluster: speaks the Kafka protocol on 127.0.0.1 but keeps
// everything in memory. The zero-setup default of `shopstream all`, and the broker of the
// fault-injection tests (brokers can be set down and up). Not durable.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace shopstream::kafka {

class EmbeddedCluster {
 public:
  static Result<std::unique_ptr<EmbeddedCluster>> start(int brokers = 1);
  ~EmbeddedCluster();
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

  const std::string& bootstrap() const { return bootstrap_; }  // "127.0.0.1:PORT,..."
  int brokers() const { return brokers_; }
  // Fault injection: broker ids are 1..brokers().
  void set_broker_down(int broker_id);
  void set_broker_up(int broker_id);
  rd_kafka_mock_cluster_t* mock() { return mcluster_; }
  // The mock cluster announces no controller, so the Admin API cannot create topics on
  // it; this creates them directly. Existing topics are left alone.
  std::optional<Error> create_topics(const std::vector<std::string>& topics, int partitions);

 private:
  EmbeddedCluster(rd_kafka_t* host, rd_kafka_mock_cluster_t* mc, int brokers);
  void disable_nagle();  // TCP_NODELAY on the mock brokers' listeners (see the .cpp)
  rd_kafka_t* host_;
  rd_kafka_mock_cluster_t* mcluster_;
  int brokers_;
  std::string bootstrap_;
};

}  // namespace shopstream::kafka
