// SIGTERM under load, on the real binary: stop accepting, finish in-flight requests,
// flush, exit 0, and every webhook answered 200 is in Kafka.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <set>

#include "tests/support/http_client.hpp"
#include "tests/support/ingress_fixture.hpp"
#include "tests/support/load.hpp"
#include "tests/support/process.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream;
using namespace shopstream::test;
using namespace std::chrono_literals;

TEST_CASE("SIGTERM during load: exit 0 and every 200 is in Kafka") {
  auto& kafka = TestKafka::get();
  const std::string prefix = unique_prefix();
  kafka.create_topics(prefix);
  auto dir = std::filesystem::temp_directory_path() / ("shopstream-" + prefix + "d");
  IngressProcess ingress(prefix, dir);
  auto& proc = ingress.process();
  const auto port = ingress.port();

  Load load(port, kSecret, 4, /*stop_on_refused=*/true);
  REQUIRE(wait_until([&] { return load.count(200) >= 200; }, 30s));
  proc.signal(SIGTERM);
  auto status = proc.wait(30s);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  REQUIRE(wait_until([&] { return load.all_stopped(); }, 30s));
  load.stop();

  std::set<std::string> acked;
  for (const auto& o : load.outcomes())
    if (o.status == 200) acked.insert(o.webhook_id);
  std::set<std::string> in_kafka;
  for (const auto& r : read_topic(kafka.bootstrap(), prefix + "orders"))
    in_kafka.insert(r.headers.at("x-shopify-webhook-id"));
  std::size_t missing = 0;
  for (const auto& id : acked) missing += in_kafka.count(id) == 0;
  MESSAGE(kafka.name() << ": " << acked.size() << " answered 200 around SIGTERM");
  CHECK(acked.size() >= 200);
  CHECK(missing == 0);
  std::filesystem::remove_all(dir);
}
