// The reconciler end to end: the simulated store delivers its webhooks (with drops,
// duplicates, reordering and delays) to a real ingress, the projector fills Postgres from
// the run's Kafka (mock or real), and one reconcile pass closes every gap.
#include <doctest/doctest.h>

#include <csignal>
#include <fstream>
#include <pqxx/pqxx>
#include <regex>

#include "ingress/reconcile/subscriptions.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/ingress_fixture.hpp"
#include "tests/support/kafka.hpp"
#include "tests/support/metrics.hpp"
#include "tests/support/projector_fixture.hpp"
#include "tests/support/simulator.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream;
using namespace shopstream::test;

namespace {

constexpr const char* kShop = "sim-store-1.myshopify.com";

// Every record in the fixture's topics has been applied (or deadlettered).
bool projector_caught_up(ProjectorFixture& f) {
  return wait_until(
      [&] {
        std::size_t records = 0;
        for (const char* s : {"orders", "products", "customers", "compliance"})
          records += read_topic(f.settings().kafka_brokers, f.settings().topic_prefix + s).size();
        auto r = f.query("SELECT coalesce(sum(next_offset), 0) FROM shopstream.consumer_offsets");
        return r[0][0].as<std::size_t>() >= records;
      },
      std::chrono::seconds(120), std::chrono::milliseconds(250));
}

// Runs `shopstream reconcile` against the simulator: shop 1 alone, or every shop of
// `shops_file` when one is given.
int reconcile(ProjectorFixture& f, Simulator& sim, const std::vector<std::string>& flags,
              const std::string& log, std::function<void(ChildProcess&)> while_running = nullptr,
              const std::string& shops_file = "") {
  std::vector<std::string> argv = {SHOPSTREAM_BINARY, "reconcile"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  std::map<std::string, std::string> env = {
      {"SHOPSTREAM_KAFKA_BROKERS", f.settings().kafka_brokers},
      {"SHOPSTREAM_TOPIC_PREFIX", f.settings().topic_prefix},
      {"SHOPSTREAM_DATABASE_URL", f.settings().database_url},
      {"SHOPSTREAM_METRICS_ADDR", "127.0.0.1:0"},
      {"SHOPIFY_ADMIN_API_URL", sim.url()}};
  if (shops_file.empty()) {
    env["SHOPIFY_SHOP_DOMAIN"] = kShop;
    env["SHOPIFY_ACCESS_TOKEN"] = "shpat_sim_1";
  } else {
    env["SHOPSTREAM_SHOPS_FILE"] = shops_file;
  }
  ChildProcess p(argv, env, std::string(SHOPSTREAM_TEST_TMP) + "/" + log);
  if (while_running) while_running(p);
  return p.wait(std::chrono::minutes(5)).value_or(-1);
}

void require_equal(ProjectorFixture& f, Simulator& sim) {
  REQUIRE(projector_caught_up(f));
  auto diffs = compare_with_dump(f.settings().database_url, sim.get("/sim/state"));
  for (std::size_t i = 0; i < diffs.size() && i < 10; ++i) MESSAGE(diffs[i]);
  CHECK(diffs.empty());
}

// A count of the pass's summary in a reconcile log: `field` of `entity`, or -1.
std::int64_t tally(const std::string& log, const std::string& entity, const std::string& field) {
  std::smatch m;
  if (!std::regex_search(log, m,
                         std::regex("\"" + entity + "\":\\{[^}]*\"" + field + "\":([0-9]+)")))
    return -1;
  return std::stoll(m[1]);
}

}  // namespace

TEST_CASE("one reconcile pass closes every gap that lossy webhook delivery left") {
  ProjectorFixture f;
  IngressFixture ingress([&](Settings& s) { s.topic_prefix = f.settings().topic_prefix; });
  f.start();
  const std::string webhook_url =
      "http://127.0.0.1:" + std::to_string(ingress.port()) + "/webhooks/shopify";
  // Two shops at different UTC offsets, a few thousand entities in all.
  Simulator sim({"--seed",      "7",       "--shops",   "2",      "--products",    "75",
                 "--customers", "250",     "--orders",  "750",    "--webhook-url", webhook_url,
                 "--secret",    kSecret,   "--drop",    "0.2",    "--duplicate",   "0.05",
                 "--reorder",   "0.05",    "--delay",   "0.05",   "--rate",        "3000",
                 "--bucket",    "1000000", "--restore", "1000000"});
  REQUIRE(sim.deliveries_done(std::chrono::minutes(3)));
  CHECK(sim.stat({"delivery", "dropped"}) > 500);
  CHECK(sim.stat({"delivery", "duplicated"}) > 100);
  CHECK(sim.stat({"delivery", "delayed"}) > 100);
  REQUIRE(projector_caught_up(f));
  // The webhooks alone leave the read models wrong...
  CHECK(compare_with_dump(f.settings().database_url, sim.get("/sim/state")).size() > 100);

  // ...one full pass makes them right, with the records marked as the reconciler's.
  const std::string shops =
      std::string(SHOPSTREAM_TEST_TMP) + "/shops-" + f.settings().topic_prefix;
  std::ofstream(shops) << "# shop=access token\nsim-store-1.myshopify.com=shpat_sim_1\n"
                          "sim-store-2.myshopify.com=shpat_sim_2\n";
  CHECK(reconcile(f, sim, {"--once", "--full"}, "reconcile-e2e.log", nullptr, shops) == 0);
  require_equal(f, sim);
  auto orders = read_topic(f.settings().kafka_brokers, f.settings().topic_prefix + "orders");
  std::size_t reconciled = 0;
  for (const auto& r : orders)
    if (r.headers.at("shopstream-source") == "reconciler") {
      ++reconciled;
      CHECK(r.headers.count("x-shopify-topic") == 1);
      const auto& shop = r.headers.at("x-shopify-shop-domain");
      CHECK((shop == "sim-store-1.myshopify.com" || shop == "sim-store-2.myshopify.com"));
      CHECK(r.key.rfind(shop + "/", 0) == 0);
    }
  CHECK(reconciled > 100);
  auto wm = f.query("SELECT count(*) FROM shopstream.reconcile_watermarks");
  CHECK(wm[0][0].as<int>() == 6);  // two shops × orders, products, customers

  // A second pass finds nothing left to publish.
  const auto before = orders.size();
  CHECK(reconcile(f, sim, {"--once"}, "reconcile-e2e-2.log", nullptr, shops) == 0);
  CHECK(read_topic(f.settings().kafka_brokers, f.settings().topic_prefix + "orders").size() ==
        before);
}

TEST_CASE("under a small bucket the reconciler paces itself, retries and reads each page once") {
  ProjectorFixture f;
  f.start();
  // No webhooks at all: everything comes from the Admin API, 1000-point bucket.
  Simulator sim({"--seed", "11", "--products", "20", "--customers", "60", "--orders", "120",
                 "--bucket", "1000", "--restore", "400"});
  sim.post("/sim/fail?status=429&count=1");
  CHECK(reconcile(f, sim, {"--once"}, "reconcile-bucket.log", [&](ChildProcess&) {
          // A 5xx in the middle of the pass, once it is under way.
          REQUIRE(wait_until(
              [&] {
                return sim.stat({"api", "pages", "orders"}) >= 3;
              },
              std::chrono::minutes(2)));
          sim.post("/sim/fail?status=503&count=1");
        }) == 0);
  CHECK(sim.stat({"api", "injected_429"}) == 1);
  CHECK(sim.stat({"api", "injected_5xx"}) == 1);
  CHECK(sim.stat({"api", "max_throttled_streak"}) <= 1);
  CHECK(sim.stat({"api", "duplicate_pages"}) == 0);
  CHECK(sim.stat({"api", "max_cost_exceeded"}) == 0);
  CHECK(sim.stat({"api", "items", "orders"}) > 100);
  require_equal(f, sim);
}

TEST_CASE("orders, refunds and products with more nested items than a page reads are read whole") {
  ProjectorFixture f;
  f.start();
  // No webhooks: everything from the Admin API. A third of the orders have 21-300 line
  // items (refunded in 1-8 refunds that return every other line, or half of those with
  // 100 or more in 30-49) and of the products 51-600 variants: more than a list page's
  // nested reads, and than one page read on.
  Simulator sim({"--seed", "26", "--products", "12", "--customers", "20", "--orders", "60",
                 "--large", "0.35", "--many-refunds", "0.5", "--bucket", "1000", "--restore",
                 "1000"});
  CHECK(reconcile(f, sim, {"--once"}, "reconcile-large.log") == 0);
  CHECK(sim.stat({"api", "max_cost_exceeded"}) == 0);
  require_equal(f, sim);
  auto most = [&](const std::string& table, const std::string& parent) {
    return f
        .query("SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM shopstream." + table +
               " GROUP BY " + parent + ") c")[0][0]
        .as<int>();
  };
  CHECK(most("order_line_items", "order_id") > 20 + 142);
  CHECK(most("product_variants", "product_id") > 50 + 250);
  CHECK(most("refunds", "order_id") > 30);          // an order's refunds read again, then by id
  CHECK(sim.stat({"api", "pages", "refund"}) > 0);  // a refund's lines read on
  const auto log = read_file(std::string(SHOPSTREAM_TEST_TMP) + "/reconcile-large.log");
  CHECK(log.find("not published") == std::string::npos);
  for (const char* entity : {"orders", "products"}) {  // in the pass's summary
    CAPTURE(entity);
    CHECK(tally(log, entity, "read_whole") > 0);
  }
  // Nothing missing: a full pass reads no order whole; of those whose page held five
  // refunds it reads only the ids of all of them (none new).
  CHECK(reconcile(f, sim, {"--once", "--full"}, "reconcile-large-again.log") == 0);
  const auto again = read_file(std::string(SHOPSTREAM_TEST_TMP) + "/reconcile-large-again.log");
  CHECK(tally(again, "orders", "read_whole") == 0);
  CHECK(tally(again, "orders", "published") == 0);
  // refunds/create webhooks lost while every order stayed current: a full pass finds the
  // refunds the read models lack (those past a page's five, and those with more lines
  // than its ten among them) and publishes them whole, not as the page cut them.
  f.query("DELETE FROM shopstream.refunds");
  CHECK(reconcile(f, sim, {"--once", "--full"}, "reconcile-large-refunds.log") == 0);
  require_equal(f, sim);
}

TEST_CASE(
    "a node whose read-on answers are malformed is skipped alone, the pass goes on, and the "
    "next pass reads it again") {
  ProjectorFixture f;
  f.start();
  Simulator sim({"--seed", "25", "--products", "8", "--customers", "10", "--orders", "24",
                 "--large", "0.4", "--bucket", "1000", "--restore", "1000"});
  // Every order, product and refund read by id comes back without its fields.
  sim.post("/sim/malformed?count=10000");
  CHECK(reconcile(f, sim, {"--once"}, "reconcile-malformed.log") == 0);
  CHECK(sim.stat({"api", "injected_malformed"}) > 0);
  const auto log = read_file(std::string(SHOPSTREAM_TEST_TMP) + "/reconcile-malformed.log");
  REQUIRE(projector_caught_up(f));
  for (const char* entity : {"orders", "products"}) {
    CAPTURE(entity);
    const auto fetched = tally(log, entity, "fetched");
    const auto skipped = tally(log, entity, "skipped");
    CHECK(skipped > 0);
    CHECK(tally(log, entity, "read_whole") == 0);
    // Everything else was published, and the watermark covers the whole pass.
    CHECK(f.query("SELECT count(*) FROM shopstream." + std::string(entity))[0][0].as<int>() ==
          fetched - skipped);
    CHECK(f.query("SELECT count(*) FROM shopstream.reconcile_watermarks WHERE entity = '" +
                  std::string(entity) + "'")[0][0]
              .as<int>() == 1);
  }
  CHECK(log.find("\"reason\":\"Order ") != std::string::npos);  // the node is named
  // Listed for the next passes to read again.
  const auto listed = [&](const std::string& entity) {
    return f
        .query("SELECT count(*) FROM shopstream.reconcile_skipped WHERE entity = '" + entity +
               "'")[0][0]
        .as<std::int64_t>();
  };
  CHECK(listed("orders") == tally(log, "orders", "skipped"));
  CHECK(listed("products") == tally(log, "products", "skipped"));
  // The answers mend: the next pass, past the watermark, reads the skipped nodes again by
  // id and publishes them; nothing stays listed.
  sim.post("/sim/malformed?count=0");
  CHECK(reconcile(f, sim, {"--once"}, "reconcile-malformed-mended.log") == 0);
  const auto mended =
      read_file(std::string(SHOPSTREAM_TEST_TMP) + "/reconcile-malformed-mended.log");
  for (const char* entity : {"orders", "products"}) {  // those not in the overlap again
    CAPTURE(entity);
    CHECK(tally(mended, entity, "retried") > 0);
    CHECK(tally(mended, entity, "retried") <= tally(log, entity, "skipped"));
  }
  require_equal(f, sim);
  CHECK(listed("orders") == 0);
  CHECK(listed("products") == 0);
}

TEST_CASE("skipped entities are read again at most 50 a pass, and unlisted once gone") {
  ProjectorFixture f;
  f.start();
  Simulator sim({"--seed", "27", "--products", "3", "--customers", "5", "--orders", "5"});
  // 60 customers an earlier pass skipped that the store no longer has.
  f.query(
      "INSERT INTO shopstream.reconcile_skipped (shop_domain, entity, id, reason) "
      "SELECT '" +
      std::string(kShop) + "', 'customers', g, 'invalid' FROM generate_series(1, 60) g");
  const auto listed = [&] {
    return f.query("SELECT count(*) FROM shopstream.reconcile_skipped")[0][0].as<int>();
  };
  CHECK(reconcile(f, sim, {"--once"}, "reconcile-retry-1.log") == 0);
  auto log = read_file(std::string(SHOPSTREAM_TEST_TMP) + "/reconcile-retry-1.log");
  CHECK(tally(log, "customers", "retried") == 50);
  CHECK(listed() == 10);
  CHECK(reconcile(f, sim, {"--once"}, "reconcile-retry-2.log") == 0);
  log = read_file(std::string(SHOPSTREAM_TEST_TMP) + "/reconcile-retry-2.log");
  CHECK(tally(log, "customers", "retried") == 10);
  CHECK(listed() == 0);
  require_equal(f, sim);
}

TEST_CASE(
    "a reconciler killed mid-pass resumes from a watermark that only covers durable records") {
  ProjectorFixture f;
  f.start();
  Simulator sim({"--seed", "12", "--products", "20", "--customers", "60", "--orders", "150",
                 "--bucket", "1000", "--restore", "300"});
  reconcile(f, sim, {"--once"}, "reconcile-killed.log", [&](ChildProcess& p) {
    REQUIRE(wait_until(
        [&] {
          return sim.stat({"api", "pages", "orders"}) >= 10;
        },
        std::chrono::minutes(2), std::chrono::milliseconds(5)));
    p.signal(SIGKILL);
  });
  REQUIRE(projector_caught_up(f));
  auto held = f.query("SELECT count(*) FROM shopstream.orders")[0][0].as<int>();
  CHECK(held > 0);
  CHECK(held < 150);
  // Whatever the watermark says was covered is in the read models.
  auto wm =
      f.query("SELECT count(*) FROM shopstream.reconcile_watermarks w WHERE w.entity = 'orders'");
  CHECK(wm[0][0].as<int>() == 1);
  CHECK(reconcile(f, sim, {"--once", "--reconcile-overlap", "0s"}, "reconcile-resumed.log") == 0);
  require_equal(f, sim);
}

TEST_CASE("a webhook subscription Shopify deleted is re-created") {
  Simulator sim({"--seed", "3", "--orders", "5", "--webhook-url",
                 "http://127.0.0.1:9/webhooks/shopify", "--secret", "x", "--rate", "100000",
                 "--retry-base-ms", "1", "--max-retries", "0"});
  // Every delivery fails at once: Shopify deletes the subscriptions that failed.
  REQUIRE(sim.deliveries_done(std::chrono::minutes(1)));
  CHECK(sim.stat({"api", "subscriptions_deleted"}) > 0);
  sim.post("/sim/subscriptions/delete?shop=sim-store-1.myshopify.com&topic=orders/updated");
  const auto live_before = sim.stat({"api", "subscriptions_live"});

  ProjectorFixture f;
  CHECK(reconcile(f, sim,
                  {"--subscriptions", "--webhook-url", "http://127.0.0.1:9/webhooks/shopify"},
                  "reconcile-subscriptions.log") == 0);
  const auto created = sim.stat({"api", "subscriptions_created"});
  CHECK(created > 0);
  CHECK(sim.stat({"api", "subscriptions_live"}) == live_before + created);
  // Every topic shopstream needs is there now; a second check repairs nothing.
  CHECK(reconcile(f, sim,
                  {"--subscriptions", "--webhook-url", "http://127.0.0.1:9/webhooks/shopify"},
                  "reconcile-subscriptions-2.log") == 0);
  CHECK(sim.stat({"api", "subscriptions_created"}) == created);
  CHECK(sim.stat({"api", "subscriptions_live"}) >=
        static_cast<std::int64_t>(ingress::reconcile::required_topics().size()));
}

TEST_CASE("as a daemon the reconciler passes every interval and stops cleanly on SIGTERM") {
  ProjectorFixture f;
  f.start();
  Simulator sim({"--seed", "5", "--products", "5", "--customers", "10", "--orders", "20",
                 "--bucket", "100000", "--restore", "100000"});
  const std::string ready =
      std::string(SHOPSTREAM_TEST_TMP) + "/daemon-" + f.settings().topic_prefix;
  std::remove(ready.c_str());
  auto passes = [&] {
    auto url = json_field(read_file(ready), "metrics_url");
    if (url.empty()) return 0.0;
    auto body = test::HttpClient(url_port(url)).request("GET", "/metrics", {}).body;
    return scraped_value(body, "shopstream_reconcile_passes_total{result=\"ok\"}");
  };
  int code = reconcile(f, sim, {"--reconcile-interval", "1s", "--ready-file", ready},
                       "reconcile-daemon.log", [&](ChildProcess& p) {
                         CHECK(wait_until([&] { return passes() >= 3; }, std::chrono::seconds(60),
                                          std::chrono::milliseconds(100)));
                         p.signal(SIGTERM);
                       });
  CHECK(code == 0);
  require_equal(f, sim);
}

TEST_CASE("deliveries the receiver failed are retried with back-off until it recovers") {
  ProjectorFixture f;
  IngressFixture ingress([&](Settings& s) {
    s.topic_prefix = f.settings().topic_prefix;
    s.ack_deadline = std::chrono::milliseconds(300);
  });
  f.start();
  const std::string webhook_url =
      "http://127.0.0.1:" + std::to_string(ingress.port()) + "/webhooks/shopify";
  auto& kafka = TestKafka::get();
  kafka.stop_broker();  // the ingress answers 503 (not durable) until it is back
  Simulator sim({"--seed", "6", "--products", "5", "--customers", "10", "--orders", "20",
                 "--webhook-url", webhook_url, "--secret", kSecret, "--retry-base-ms", "100",
                 "--max-retries", "12"});
  CHECK(wait_until(
      [&] {
        return sim.stat({"delivery", "failed_attempts"}) >= 20;
      },
      std::chrono::minutes(1), std::chrono::milliseconds(50)));
  kafka.start_broker();
  REQUIRE(sim.deliveries_done(std::chrono::minutes(3)));
  CHECK(sim.stat({"delivery", "gave_up"}) == 0);
  CHECK(sim.stat({"delivery", "delivered"}) == sim.stat({"delivery", "planned"}));
  // Nothing was lost: the webhooks alone make the read models equal the store (this seed
  // has no redaction, which the Admin API shows but no webhook repeats).
  REQUIRE(sim.get("/sim/state").find("\"redacted\":true") == std::string::npos);
  require_equal(f, sim);
}
