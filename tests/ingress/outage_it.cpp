// Kafka down under load: 503 within the deadline, and every webhook answered 200 before,
// during and after the outage is in Kafka once the broker is back.
#include <doctest/doctest.h>

#include <set>

#include "tests/support/ingress_fixture.hpp"
#include "tests/support/load.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream;
using namespace shopstream::test;
using namespace std::chrono_literals;

TEST_CASE("Kafka outage: 503 within the deadline, nothing answered 200 is lost") {
  const auto deadline = 1500ms;
  IngressFixture ing([&](Settings& s) { s.ack_deadline = deadline; });
  auto& kafka = TestKafka::get();
  Load load(ing.port(), kSecret, 4);

  REQUIRE(wait_until([&] { return load.count(200) >= 100; }, 30s));
  kafka.stop_broker();
  const auto ok_at_outage = load.count(200);
  REQUIRE(wait_until([&] { return load.count(503) >= 8; }, 60s));
  kafka.start_broker();
  REQUIRE(wait_until([&] { return load.count(200) >= ok_at_outage + 100; }, 90s));
  load.stop();

  std::set<std::string> acked;
  for (const auto& o : load.outcomes()) {
    if (o.status == 200) acked.insert(o.webhook_id);
    if (o.status == 503) {
      // Answered by the deadline (plus scheduling slack on a loaded 2-core box), well
      // inside Shopify's 5 s.
      CHECK(o.latency < deadline + 1000ms);
    }
    CHECK((o.status == 200 || o.status == 503));
  }
  MESSAGE(kafka.name() << ": " << acked.size() << " answered 200, " << load.count(503)
                       << " answered 503");
  std::set<std::string> in_kafka;
  for (const auto& r : ing.read("orders")) in_kafka.insert(r.headers.at("x-shopify-webhook-id"));
  std::size_t missing = 0;
  for (const auto& id : acked) missing += in_kafka.count(id) == 0;
  CHECK(missing == 0);
}
