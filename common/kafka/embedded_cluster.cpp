#include "common/kafka/embedded_cluster.hpp"

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <charconv>
#include <set>

#include "common/kafka/conf.hpp"
#include "common/log.hpp"

namespace shopstream::kafka {
namespace {

// librdkafka's mock brokers leave Nagle's algorithm on for the connections they accept.
// A small response written while an earlier one is unacknowledged then waits for the
// client's delayed ACK, up to 40 ms on Linux: with acks=all that is the tail of every
// webhook's latency, and with linger.ms=0 the median. Linux copies TCP_NODELAY from a
// listening socket to each connection it accepts, so this sets it on the listeners,
// found among the process's descriptors by their ports. Returns how many it set.
int disable_nagle_on_listeners(const std::string& bootstrap) {
  std::set<int> ports;  // bootstrap is "127.0.0.1:PORT,127.0.0.1:PORT,..."
  for (std::size_t colon = bootstrap.find(':'); colon != std::string::npos;
       colon = bootstrap.find(':', colon + 1)) {
    int port = 0;
    std::from_chars(bootstrap.data() + colon + 1, bootstrap.data() + bootstrap.size(), port);
    ports.insert(port);
  }
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return 0;
  int set = 0;
  while (const dirent* entry = readdir(dir)) {
    int fd = -1;
    std::string_view name = entry->d_name;
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc{}) continue;
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    sockaddr_in local{};
    socklen_t local_len = sizeof local;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        local.sin_family != AF_INET || !ports.contains(ntohs(local.sin_port)))
      continue;
    int on = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) == 0) ++set;
  }
  closedir(dir);
  return set;
}

}  // namespace

Result<std::unique_ptr<EmbeddedCluster>> EmbeddedCluster::start(int brokers) {
  auto made = make_conf("embedded kafka", {{"log_level", "3"}});
  if (!made) return made.error();
  rd_kafka_conf_t* conf = made.value();
  char err[512];
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
  std::unique_ptr<EmbeddedCluster> cluster(new EmbeddedCluster(host, mc, brokers));
  cluster->disable_nagle();
  return cluster;
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
  disable_nagle();  // in case this librdkafka opened a new listener
}

void EmbeddedCluster::disable_nagle() {
  int set = disable_nagle_on_listeners(bootstrap_);
  if (set < brokers_)
    log::warn(
        "embedded kafka: could not disable Nagle's algorithm on every mock broker; "
        "answers may wait up to 40 ms for a delayed ACK",
        {{"brokers", brokers_}, {"listeners_set", set}});
}

}  // namespace shopstream::kafka
