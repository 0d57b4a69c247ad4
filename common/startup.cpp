#include "common/startup.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <chrono>

#include "common/kafka/producer.hpp"
#include "common/log.hpp"
#include "common/routing.hpp"

namespace shopstream {

int startup_failure(std::string_view what) {
  log::error("start-up failed", {{"error", what}});
  return 1;
}

std::uint64_t raise_open_file_limit(std::uint64_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
      limit = raised;
    else
      log::warn("cannot raise the open-file limit", {{"errno", errno}});
  }
  const auto now = static_cast<std::uint64_t>(limit.rlim_cur);
  if (now < wanted)
    log::warn(
        "the open-file limit is below what the connection cap needs: connections past it wait "
        "in the listen backlog (raise `ulimit -n`, or LimitNOFILE= under systemd, or lower "
        "SHOPSTREAM_MAX_CONNECTIONS)",
        {{"open_file_limit", now}, {"wanted", wanted}});
  return now;
}

std::uint64_t open_files_wanted(std::string_view command, std::uint64_t max_connections) {
  std::uint64_t servers = 0;
  if (command == "all")
    servers = 2;  // the ingress and the SSE server
  else if (command == "ingress" || command == "sse")
    servers = 1;
  return servers == 0 ? 0 : servers * max_connections + 256;
}

std::optional<Error> ensure_contract_topics(const Settings& s) {
  auto admin =
      kafka::Producer::create({.brokers = s.kafka_brokers, .extra_properties = s.kafka_properties});
  if (!admin) return admin.error();
  return admin.value()->ensure_topics(routing::all_topics(s.topic_prefix), s.topic_partitions,
                                      s.topic_replication, std::chrono::seconds(30));
}

}  // namespace shopstream
