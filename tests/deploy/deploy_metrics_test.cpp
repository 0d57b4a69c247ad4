// The dashboard and alert rules in deploy/ may use only metric names the code exports.
#include <doctest/doctest.h>

#include "ingress/reconcile/metrics.hpp"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "common/kafka/metrics.hpp"
#include "common/metrics.hpp"
#include "consumers/projector_metrics.hpp"
#include "consumers/replay/metrics.hpp"
#include "consumers/sse/metrics.hpp"
#include "ingress/metrics.hpp"
#include "tests/support/process.hpp"

TEST_CASE("deploy/ names only exported metrics") {
  // Instantiate every metric family the process can register.
  shopstream::ingress::IngressMetrics::get();
  shopstream::kafka::producer_metrics();
  shopstream::consumers::ProjectorMetrics::get();
  shopstream::ingress::reconcile::Metrics::get();
  shopstream::consumers::replay::MetricsReporter::register_families();
  auto& sse = shopstream::consumers::sse::SseMetrics::get();
  // Families with labels exist once a child does.
  sse.resume("ok");
  sse.request("events", 200, 0.001);
  std::set<std::string> exported;
  for (const auto& name : shopstream::metrics::registered_names()) {
    exported.insert(name);
    for (const char* suffix : {"_bucket", "_sum", "_count"}) exported.insert(name + suffix);
  }
  REQUIRE(exported.count("shopstream_ingress_requests_total"));

  std::regex name_re("shopstream_[a-z0-9_]+");
  int used = 0;
  for (const char* file : {"/deploy/grafana/shopstream.json", "/deploy/prometheus/alerts.yml"}) {
    auto text = shopstream::test::read_file(std::string(SHOPSTREAM_SOURCE_DIR) + file);
    REQUIRE_MESSAGE(!text.empty(), file);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), name_re);
         it != std::sregex_iterator(); ++it) {
      CAPTURE(file);
      CAPTURE(it->str());
      CHECK(exported.count(it->str()) == 1);
      ++used;
    }
  }
  CHECK(used > 10);
}
