// The embedded cluster's brokers answer without Nagle's algorithm: every connection they
// accept has TCP_NODELAY, also after a broker went down and came back.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <optional>
#include <string>

#include "common/kafka/embedded_cluster.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream;
using namespace std::chrono_literals;

namespace {

int port_of(const std::string& bootstrap) {
  int port = 0;
  auto colon = bootstrap.find(':');
  std::from_chars(bootstrap.data() + colon + 1, bootstrap.data() + bootstrap.size(), port);
  return port;
}

struct Client {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  explicit Client(int port) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
  }
  ~Client() { ::close(fd); }
  int local_port() const {
    sockaddr_in me{};
    socklen_t len = sizeof me;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&me), &len);
    return ntohs(me.sin_port);
  }
};

// The broker's end of the client's connection, once the mock broker accepted it: the
// descriptor in this process whose local port is the broker's and peer port the client's.
std::optional<int> accepted_end(int broker_port, int client_port) {
  std::optional<int> found;
  DIR* dir = opendir("/proc/self/fd");
  while (const dirent* entry = readdir(dir)) {
    int fd = std::atoi(entry->d_name);
    sockaddr_in local{}, peer{};
    socklen_t a = sizeof local, b = sizeof peer;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &a) != 0 ||
        ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &b) != 0 ||
        local.sin_family != AF_INET)
      continue;
    if (ntohs(local.sin_port) == broker_port && ntohs(peer.sin_port) == client_port) found = fd;
  }
  closedir(dir);
  return found;
}

bool nodelay(int fd) {
  int on = 0;
  socklen_t len = sizeof on;
  REQUIRE(::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) == 0);
  return on != 0;
}

void check_accepted_connection_has_nodelay(int broker_port) {
  Client client(broker_port);
  std::optional<int> server_end;
  REQUIRE(test::wait_until(
      [&] { return (server_end = accepted_end(broker_port, client.local_port())).has_value(); },
      10s));
  CHECK(nodelay(*server_end));
}

}  // namespace

TEST_CASE("the embedded cluster's brokers accept connections with Nagle's algorithm off") {
  auto started = kafka::EmbeddedCluster::start(1);
  REQUIRE(started);
  auto& cluster = *started.value();
  int port = port_of(cluster.bootstrap());
  REQUIRE(port > 0);
  check_accepted_connection_has_nodelay(port);

  cluster.set_broker_down(1);
  cluster.set_broker_up(1);
  check_accepted_connection_has_nodelay(port);
}
