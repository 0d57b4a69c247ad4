// The local spool: while Kafka is unreachable, webhooks are answered 200 once on disk;
// when Kafka is back they are published, exact and in order, by the same run or by the
// next one.
#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "common/kafka/embedded_cluster.hpp"
#include "common/routing.hpp"
#include "ingress/spool.hpp"
#include "ingress/spool_format.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/ingress_fixture.hpp"
#include "tests/support/load.hpp"
#include "tests/support/metrics.hpp"
#include "tests/support/process.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream;
using namespace shopstream::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string body_of(int i) {
  return R"({"id":)" + std::to_string(7000 + i) +
         R"(,"note":"caf\u00e9 \/ ☕","total_price":"1.00"})";
}

int post(const IngressFixture& ing, int i, std::string* answer = nullptr) {
  auto body = body_of(i);
  auto res = HttpClient(ing.port())
                 .post("/webhooks/shopify",
                       shopify_headers(kSecret, "orders/create", "demo.myshopify.com",
                                       "spool-" + std::to_string(i), body),
                       body);
  if (answer) *answer = res.body;
  return res.status;
}

bool kafka_unreachable(const IngressFixture& ing) {
  return HttpClient(ing.port()).request("GET", "/readyz", {}).status == 503;
}

std::uintmax_t spool_bytes_on_disk(const fs::path& dir) {
  std::uintmax_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.file_size();
  return n;
}

// Every record of the orders topic by webhook id; each must be the exact webhook.
std::map<std::string, int> published(const IngressFixture& ing) {
  std::map<std::string, int> seen;
  for (const auto& r : ing.read("orders")) {
    const auto& id = r.headers.at("x-shopify-webhook-id");
    const int i = std::stoi(id.substr(6));
    CHECK(r.value == body_of(i));
    CHECK(r.key == "demo.myshopify.com/" + std::to_string(7000 + i));
    CHECK(r.headers.at("x-shopify-topic") == "orders/create");
    CHECK(r.headers.at("shopstream-source") == "webhook");
    CHECK(r.headers.count("x-shopify-hmac-sha256") == 0);
    ++seen[id];
  }
  return seen;
}

}  // namespace

TEST_CASE("Kafka unreachable with a spool: 200 once on disk, published when Kafka is back") {
  auto& kafka = TestKafka::get();
  const fs::path dir = fs::path(SHOPSTREAM_TEST_TMP) / (unique_prefix() + "spool");
  std::string prefix;
  const auto spooled_before = metric_value("shopstream_ingress_spooled_total");
  {
    IngressFixture ing([&](Settings& s) { s.spool_dir = dir.string(); });
    prefix = ing.prefix();
    CHECK(post(ing, 0) == 200);  // Kafka is up: straight to Kafka

    kafka.stop_broker();
    REQUIRE(wait_until([&] { return kafka_unreachable(ing); }, 30s));
    CHECK(HttpClient(ing.port()).request("GET", "/readyz", {}).body.find("local spool") !=
          std::string::npos);
    for (int i = 1; i <= 10; ++i) {
      std::string answer;
      CHECK(post(ing, i, &answer) == 200);
      CHECK(answer.find("\"spooled\"") != std::string::npos);
    }
    CHECK(metric_value("shopstream_ingress_spooled_total") == spooled_before + 10);
    CHECK(spool_bytes_on_disk(dir) > 10 * body_of(1).size());
    CHECK(post(ing, 1) == 200);  // a redelivery of a spooled webhook is a duplicate

    kafka.start_broker();
    REQUIRE(wait_until([&] { return ing.read("orders").size() >= 11; }, 60s));
    REQUIRE(wait_until([&] { return spool_bytes_on_disk(dir) == 0; }, 30s));
    auto seen = published(ing);
    CHECK(seen.size() == 11);
    for (const auto& [id, n] : seen) CHECK_MESSAGE(n == 1, id);

    // A second outage, and this run stops before Kafka is back: the spool stays on disk.
    kafka.stop_broker();
    REQUIRE(wait_until([&] { return kafka_unreachable(ing); }, 30s));
    for (int i = 11; i <= 15; ++i) CHECK(post(ing, i) == 200);
  }
  CHECK(spool_bytes_on_disk(dir) > 0);
  kafka.start_broker();

  // The next run publishes what the last one left.
  IngressFixture next([&](Settings& s) {
    s.spool_dir = dir.string();
    s.topic_prefix = prefix;
  });
  REQUIRE(wait_until([&] { return next.read("orders").size() >= 16; }, 60s));
  REQUIRE(wait_until([&] { return spool_bytes_on_disk(dir) == 0; }, 30s));
  auto seen = published(next);
  CHECK(seen.size() == 16);
  for (const auto& [id, n] : seen) CHECK_MESSAGE(n == 1, id);
  fs::remove_all(dir);
}

TEST_CASE("Kafka reachable but acknowledging nothing, with a spool: 200 from the spool") {
  // Fault injection on a mock cluster of its own, whichever broker the run uses: the
  // orders partitions lose their leader (as when an election is stuck), so records wait
  // unacknowledged while the brokers, and so the reachability probe, keep answering.
  auto owned = own_mock_cluster();
  auto& cluster = *owned;
  const std::string prefix = unique_prefix();
  REQUIRE_FALSE(cluster.create_topics(routing::all_topics(prefix), 3));
  const std::string orders = prefix + "orders";
  const fs::path dir = fs::path(SHOPSTREAM_TEST_TMP) / (prefix + "spool");
  IngressFixture ing([&](Settings& s) {
    s.kafka_brokers = cluster.bootstrap();
    s.topic_prefix = prefix;
    s.spool_dir = dir.string();
    s.ack_deadline = 1500ms;
  });
  std::string answer;
  REQUIRE(post(ing, 0, &answer) == 200);
  CHECK(answer.find("\"ok\"") != std::string::npos);

  auto set_leaders = [&](int broker) {
    for (int p = 0; p < 3; ++p)
      REQUIRE(rd_kafka_mock_partition_set_leader(cluster.mock(), orders.c_str(), p, broker) ==
              RD_KAFKA_RESP_ERR_NO_ERROR);
  };
  set_leaders(-1);
  // The first webhook waits out its deadline: 503, and Kafka is marked stalled...
  CHECK(post(ing, 1) == 503);
  CHECK(metric_value("shopstream_kafka_stalled", {{"client", "shopstream"}}) == 1);
  CHECK_FALSE(kafka_unreachable(ing));  // the probe still reaches the brokers
  // ...so the next ones are made durable in the spool instead of waiting out theirs.
  for (int i = 2; i <= 6; ++i) {
    CHECK(post(ing, i, &answer) == 200);
    CHECK(answer.find("\"spooled\"") != std::string::npos);
  }

  // Leaders back: the first acknowledged record (the 503's, still retried, or the spool's)
  // clears the stall, and webhooks go straight to Kafka again.
  set_leaders(1);
  int next = 7;
  REQUIRE(wait_until(
      [&] {
        REQUIRE(post(ing, next++, &answer) == 200);
        return answer.find("\"ok\"") != std::string::npos;
      },
      30s));
  CHECK(metric_value("shopstream_kafka_stalled", {{"client", "shopstream"}}) == 0);
  REQUIRE(wait_until([&] { return spool_bytes_on_disk(dir) == 0; }, 30s));
  // Every webhook answered 200 is in Kafka (at least once: a spool file whose publishing
  // timed out part-way is published again whole).
  auto seen = published(ing);
  for (int i = 0; i < next; ++i)
    if (i != 1) CHECK_MESSAGE(seen.count("spool-" + std::to_string(i)) == 1, i);
  fs::remove_all(dir);
}

TEST_CASE("a full spool answers 503, as the ingress does without one") {
  auto& kafka = TestKafka::get();
  const fs::path dir = fs::path(SHOPSTREAM_TEST_TMP) / (unique_prefix() + "spool");
  IngressFixture ing([&](Settings& s) {
    s.spool_dir = dir.string();
    s.spool_max_bytes = 1000;  // room for a few webhooks
  });
  kafka.stop_broker();
  REQUIRE(wait_until([&] { return kafka_unreachable(ing); }, 30s));
  const std::map<std::string, std::string> spool_error = {{"reason", "spool_error"}};
  const auto errors_before = metric_value("shopstream_ingress_unavailable_total", spool_error);
  int ok = 0, refused = 0, full = 0;
  std::set<std::string> answered_200;
  for (int i = 0; i < 10; ++i) {
    std::string answer;
    if (post(ing, i, &answer) == 200) {
      ++ok;
      answered_200.insert("spool-" + std::to_string(i));
      continue;
    }
    ++refused;
    // (A slow disk could let the ack deadline answer first: also a 503.)
    full += answer.find("the spool is full") != std::string::npos;
  }
  CHECK(ok >= 1);
  CHECK(ok < 10);
  CHECK(refused == 10 - ok);
  CHECK(full >= 1);
  // Counted just after the answer went out.
  CHECK(wait_until(
      [&] {
        return metric_value("shopstream_ingress_unavailable_total", spool_error) ==
               errors_before + full;
      },
      10s));
  kafka.start_broker();
  // Every 200 reaches Kafka. (A 503 at the deadline does not withdraw its record, so more
  // may land; the contract allows that, and Shopify's retry is then a duplicate.)
  std::map<std::string, int> seen;
  REQUIRE(wait_until(
      [&] {
        seen = published(ing);
        for (const auto& id : answered_200)
          if (!seen.count(id)) return false;
        return true;
      },
      60s));
  CHECK(seen.size() <= 10);
  fs::remove_all(dir);
}

TEST_CASE("a spool directory that cannot be used fails start-up with a clear line") {
  std::string error;
  try {
    IngressFixture ing([](Settings& s) { s.spool_dir = "/proc/shopstream-spool"; });
  } catch (const std::runtime_error& e) {
    error = e.what();
  }
  CHECK(error.find("spool directory /proc/shopstream-spool") != std::string::npos);
}

TEST_CASE(
    "the spool keeps append order across files, and a torn file left by a crash loses only its "
    "tail") {
  auto& kafka = TestKafka::get();
  const auto prefix = unique_prefix();
  kafka.create_topics(prefix);
  const fs::path dir = fs::path(SHOPSTREAM_TEST_TMP) / (prefix + "spool");
  fs::create_directories(dir);
  auto record = [&](int i) {
    return kafka::Record{.topic = prefix + "orders",
                         .key = "demo.myshopify.com/1",  // one key: one partition, in order
                         .value = R"({"id":1,"seq":)" + std::to_string(i) + "}",
                         .headers = {{"x-shopify-webhook-id", "seq-" + std::to_string(i)}}};
  };
  {
    // A file left by a crash mid-append: two whole entries, then half of a third.
    std::string torn;
    ingress::spool_format::append_entry(record(0), torn);
    ingress::spool_format::append_entry(record(1), torn);
    std::string third;
    ingress::spool_format::append_entry(record(99), third);
    torn += third.substr(0, third.size() / 2);
    std::ofstream(dir / "segment-00000000000000000007.spool", std::ios::binary) << torn;
  }
  const auto damaged_before = metric_value("shopstream_ingress_spool_damaged_total");
  auto spool = ingress::Spool::open({.dir = dir.string(), .segment_bytes = 200});
  REQUIRE(spool);
  std::atomic<int> durable{0};
  for (int i = 2; i < 30; ++i) {
    spool.value()->append(record(i), [&](std::optional<Error> err) {
      CHECK_FALSE(err);
      ++durable;
    });
    // One at a time, so that each append is a write of its own (queued ones share one).
    REQUIRE(wait_until([&] { return durable == i - 1; }, 10s));
  }
  REQUIRE(wait_until([&] { return durable == 28; }, 30s));
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.file_size() > 0;
  CHECK(files > 5);  // 200-byte files: the appends went over many

  auto producer = kafka::Producer::create({.brokers = kafka.bootstrap()});
  REQUIRE(producer);
  spool.value()->drain_to(*producer.value());
  REQUIRE(wait_until([&] { return spool.value()->bytes() == 0; }, 60s));
  spool.value()->stop_draining();
  CHECK(metric_value("shopstream_ingress_spool_damaged_total") == damaged_before + 1);
  for (const auto& e : fs::directory_iterator(dir))  // every file published and deleted
    CHECK(e.path().filename() == "lock");
  // One spool per directory: a second one (in another process too) is refused.
  auto second = ingress::Spool::open({.dir = dir.string()});
  REQUIRE_FALSE(second);
  CHECK(second.error().message.find("in use by another process") != std::string::npos);
  auto records = read_topic(kafka.bootstrap(), prefix + "orders");
  REQUIRE(records.size() == 30);
  for (int i = 0; i < 30; ++i) CHECK(records[static_cast<std::size_t>(i)].value == record(i).value);
  fs::remove_all(dir);
}

TEST_CASE("SIGKILL under load during an outage: every 200 reaches Kafka through the spool") {
  auto& kafka = TestKafka::get();
  const std::string prefix = unique_prefix();
  kafka.create_topics(prefix);
  const fs::path dir = fs::path(SHOPSTREAM_TEST_TMP) / (prefix + "kill");
  const std::string spool = (dir / "spool").string();
  IngressProcess ingress(prefix, dir,
                         {{"SHOPSTREAM_ACK_DEADLINE", "1500ms"}, {"SHOPSTREAM_SPOOL_DIR", spool}});
  auto& proc = ingress.process();
  const auto port = ingress.port();

  Load load(port, kSecret, 4, /*stop_on_refused=*/true);
  REQUIRE(wait_until([&] { return load.count(200) >= 100; }, 30s));
  kafka.stop_broker();
  const auto ok_at_outage = load.count(200);
  // Answered 200 while Kafka is down: spooled (after a few 503s before the probe saw it).
  REQUIRE(wait_until([&] { return load.count(200) >= ok_at_outage + 200; }, 60s));
  proc.signal(SIGKILL);
  REQUIRE(proc.wait(30s).has_value());
  REQUIRE(wait_until([&] { return load.all_stopped(); }, 30s));
  load.stop();
  kafka.start_broker();

  // The next run on the same spool publishes what the killed one made durable.
  IngressFixture next([&](Settings& s) {
    s.spool_dir = spool;
    s.topic_prefix = prefix;
  });
  std::set<std::string> acked;
  for (const auto& o : load.outcomes())
    if (o.status == 200) acked.insert(o.webhook_id);
  auto missing = [&] {
    std::set<std::string> in_kafka;
    for (const auto& r : next.read("orders")) in_kafka.insert(r.headers.at("x-shopify-webhook-id"));
    std::size_t n = 0;
    for (const auto& id : acked) n += in_kafka.count(id) == 0;
    return n;
  };
  CHECK(wait_until([&] { return missing() == 0; }, 60s));
  MESSAGE(kafka.name() << ": " << acked.size() << " answered 200, " << acked.size() - ok_at_outage
                       << " of them while Kafka was down; missing after the restart: "
                       << missing());
  fs::remove_all(dir);
}
