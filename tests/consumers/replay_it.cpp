// `shopstream replay` against the run's Kafka (mock and real) and Postgres: re-projecting a
// range (one shop's records, by offsets or by time), a dry run, republishing deadletters
// to their origin, and a rebuild beside a live projector, through the real binary.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "common/routing.hpp"
#include "consumers/replay/replay.hpp"
#include "tests/support/process.hpp"
#include "tests/support/projector_fixture.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream;
using namespace shopstream::test;
using namespace std::chrono_literals;
namespace replay = shopstream::consumers::replay;

namespace {

std::string order(long id, const std::string& total, const std::string& updated_at) {
  return R"({"id":)" + std::to_string(id) + R"(,"currency":"USD","total_price":")" + total +
         R"(","created_at":"2026-11-20T10:00:00-05:00","updated_at":")" + updated_at +
         R"(","line_items":[]})";
}

std::string one(const pqxx::result& r) {
  return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
}

replay::Options options_for(const ProjectorFixture& f, replay::Action action) {
  replay::Options o;
  o.brokers = f.settings().kafka_brokers;
  o.topics = {routing::topic_name(f.settings().topic_prefix, routing::Stream::kOrders)};
  o.action = action;
  o.database_url = f.settings().database_url;
  o.stall_timeout = 30s;
  return o;
}

replay::Summary run_ok(const replay::Options& o) {
  auto s = replay::run(o);
  REQUIRE_MESSAGE(s, (s ? "" : s.error().message));
  return s.value();
}

struct CliRun {
  int rc = -1;
  std::string out, log;  // stdout, stderr
};

CliRun run_cli(const ProjectorFixture& f, const std::string& args) {
  auto dir = std::filesystem::path(SHOPSTREAM_TEST_TMP) / ("replay-" + unique_prefix());
  std::filesystem::create_directories(dir);
  const auto cmd = "SHOPSTREAM_KAFKA_BROKERS='" + f.settings().kafka_brokers +
                   "' SHOPSTREAM_DATABASE_URL='" + f.settings().database_url +
                   "' SHOPSTREAM_TOPIC_PREFIX='" + f.settings().topic_prefix + "' " +
                   SHOPSTREAM_BINARY + " replay " + args + " > " + (dir / "out").string() + " 2> " +
                   (dir / "log").string();
  const int rc = std::system(cmd.c_str());
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, read_file((dir / "out").string()),
          read_file((dir / "log").string())};
}

}  // namespace

TEST_CASE("replay re-projects one shop's records, and again with the same result") {
  ProjectorFixture f;  // no projector: the read models start empty
  f.publish("orders/create", order(1, "10.00", "2026-11-20T10:00:00-05:00"), "2026-11-20T15:00:00Z",
            "a.myshopify.com");
  f.publish("orders/create", order(2, "20.00", "2026-11-20T10:00:00-05:00"), "2026-11-20T15:00:00Z",
            "b.myshopify.com");
  f.publish("orders/updated", order(1, "15.00", "2026-11-20T11:00:00-05:00"),
            "2026-11-20T16:00:00Z", "a.myshopify.com");
  f.publish("orders/create", order(3, "30.00", "2026-11-20T10:00:00-05:00"), "2026-11-20T15:00:00Z",
            "a.myshopify.com");

  auto o = options_for(f, replay::Action::kCount);
  o.shop = "a.myshopify.com";
  auto counted = run_ok(o);
  CHECK(counted.total == 4);
  CHECK(counted.read == 4);
  CHECK(counted.matched == 3);
  CHECK(counted.by_topic["orders/create"] == 2);
  CHECK(counted.by_topic["orders/updated"] == 1);
  CHECK(one(f.query("SELECT count(*) FROM shopstream.orders")) == "0");  // a dry run

  o.action = replay::Action::kProject;
  for (int round = 0; round < 2; ++round) {
    CAPTURE(round);
    auto s = run_ok(o);
    CHECK(s.matched == 3);
    CHECK(s.outcomes["deadlettered"] == 0);
    CHECK(one(f.query("SELECT string_agg(shop_domain || ':' || id || '=' || total_price, ',' "
                      "ORDER BY id) FROM shopstream.orders")) ==
          "a.myshopify.com:1=15.00,a.myshopify.com:3=30.00");
  }
  // Replay stores no consumer offsets: a projector started later reads everything.
  CHECK(one(f.query("SELECT count(*) FROM shopstream.consumer_offsets")) == "0");
}

TEST_CASE("replay counts each record once when Postgres refuses one of its batch") {
  ProjectorFixture f;
  const std::string shared = R"("line_items":[{"id":555,"quantity":1,"price":"1.00"}]})";
  auto with_shared = [&](long id, const std::string& updated_at) {
    auto body = order(id, "10.00", updated_at);
    return body.substr(0, body.find(R"("line_items")")) + shared;
  };
  f.publish("orders/create", with_shared(10, "2026-11-20T10:00:00-05:00"), "2026-11-20T15:00:00Z");
  // Claims order 10's line item: decodable, but Postgres refuses it.
  f.publish("orders/create", with_shared(11, "2026-11-20T10:00:00-05:00"), "2026-11-20T15:00:01Z");
  f.publish("orders/create", order(12, "12.00", "2026-11-20T10:00:00-05:00"),
            "2026-11-20T15:00:02Z");
  // Supersedes the create within the batch.
  f.publish("orders/updated", order(12, "13.00", "2026-11-20T11:00:00-05:00"),
            "2026-11-20T16:00:00Z");

  auto s = run_ok(options_for(f, replay::Action::kProject));
  CHECK(s.matched == 4);
  CHECK(s.outcomes["applied"] == 3);
  CHECK(s.outcomes["deadlettered"] == 1);
  std::uint64_t counted = 0;
  for (const auto& [outcome, n] : s.outcomes) counted += n;
  CHECK(counted == s.matched);
  CHECK(one(f.query("SELECT string_agg(id || '=' || total_price, ',' ORDER BY id) "
                    "FROM shopstream.orders")) == "10=10.00,12=13.00");
}

TEST_CASE("replay reads the range asked for, by offsets or by time") {
  ProjectorFixture f;
  const auto topic = routing::topic_name(f.settings().topic_prefix, routing::Stream::kOrders);
  const std::int64_t t0 = 1'790'000'000'000;
  std::vector<TimedRecord> records;
  for (int i = 0; i < 6; ++i)
    records.push_back({"a.myshopify.com/" + std::to_string(i + 1),
                       order(i + 1, std::to_string(i + 1) + ".00", "2026-11-20T10:00:00-05:00"),
                       t0 + i * 1000,
                       {{"x-shopify-topic", "orders/create"},
                        {"x-shopify-shop-domain", "a.myshopify.com"},
                        {"x-shopify-triggered-at", "2026-11-20T15:00:00Z"},
                        {"shopstream-received-at", "2026-11-20T15:00:00.000Z"},
                        {"shopstream-source", "webhook"}}});
  produce_at(f.settings().kafka_brokers, topic, 1, records);

  auto ids = [&] {
    return one(f.query("SELECT string_agg(id::text, ',' ORDER BY id) FROM shopstream.orders"));
  };
  auto o = options_for(f, replay::Action::kProject);
  o.partition = 1;
  o.offsets.from_offset = 1;
  o.offsets.until_offset = 3;
  auto s = run_ok(o);
  CHECK(s.matched == 2);
  CHECK(ids() == "2,3");

  o = options_for(f, replay::Action::kProject);
  o.since_ms = t0 + 3000;  // offsets 3, 4 (ids 4, 5)
  o.until_ms = t0 + 5000;
  s = run_ok(o);
  CHECK(s.matched == 2);
  CHECK(ids() == "2,3,4,5");

  // Stopped (SIGINT or SIGTERM in the command) before the end: said so, nothing read.
  std::atomic<bool> stop{true};
  o.stop = &stop;
  auto stopped = run_ok(o);
  CHECK(stopped.stopped);
  CHECK(stopped.read == 0);
  o.stop = nullptr;

  // Empty ranges end at once.
  o.since_ms = t0 + 60'000;
  o.until_ms.reset();
  CHECK(run_ok(o).matched == 0);
  o = options_for(f, replay::Action::kCount);
  o.partition = 0;
  CHECK(run_ok(o).total == 0);
}

TEST_CASE("replay sends deadletters back to their origin topic, as replay records") {
  ProjectorFixture f;
  const auto& prefix = f.settings().topic_prefix;
  const auto orders = routing::topic_name(prefix, routing::Stream::kOrders);
  const auto deadletter = routing::deadletter_topic(prefix);
  const std::string body = order(7, "70.00", "2026-11-20T10:00:00-05:00");
  produce_at(
      f.settings().kafka_brokers, deadletter, 0,
      {{"a.myshopify.com/7",
        body,
        1'790'000'000'000,
        {{"x-shopify-topic", "orders/create"},
         {"x-shopify-shop-domain", "a.myshopify.com"},
         {"x-shopify-webhook-id", "wh-7"},
         {"shopstream-received-at", "2026-11-20T15:00:00.000Z"},
         {"shopstream-source", "webhook"},
         {"shopstream-deadletter-reason", "postgres: down for maintenance"},
         {"shopstream-deadletter-topic", orders},
         {"shopstream-deadletter-partition", "2"},
         {"shopstream-deadletter-offset", "41"}}},
       {"b.myshopify.com/8", "{}", 1'790'000'000'000, {{"x-shopify-topic", "orders/create"}}},
       // Not a webhook (a foreign tombstone): no key, no value; republished as it is.
       {"",
        "",
        1'790'000'000'000,
        {{"shopstream-deadletter-reason", "not a JSON object"},
         {"shopstream-deadletter-topic", orders}},
        true,
        true,
        {"x-foreign-flag"}}});

  auto o = options_for(f, replay::Action::kCount);
  o.topics = {deadletter};
  o.republish_to = "origin";
  auto dry = run_ok(o);
  CHECK(dry.by_target[orders] == 2);
  CHECK(dry.by_target[""] == 1);
  CHECK(read_topic(f.settings().kafka_brokers, orders).empty());

  o.action = replay::Action::kRepublish;
  auto s = run_ok(o);
  CHECK(s.republished == 2);
  CHECK(s.no_origin == 1);
  CHECK(s.failed == 0);
  auto back = read_topic(f.settings().kafka_brokers, orders);
  REQUIRE(back.size() == 2);
  if (back[0].null_key) std::swap(back[0], back[1]);  // partitions are read in any order
  CHECK(back[1].null_key);
  CHECK(back[1].null_value);
  CHECK(back[1].null_headers == std::set<std::string>{"x-foreign-flag"});  // still no value
  CHECK(back[1].headers["shopstream-source"] == "replay");
  CHECK_FALSE(back[0].null_key);
  CHECK(back[0].key == "a.myshopify.com/7");
  CHECK(back[0].value == body);
  CHECK(back[0].headers["shopstream-source"] == "replay");
  CHECK(back[0].headers["x-shopify-webhook-id"] == "wh-7");
  CHECK(back[0].headers["shopstream-received-at"] == "2026-11-20T15:00:00.000Z");
  for (const auto& [name, value] : back[0].headers)
    CHECK_MESSAGE(name.rfind("shopstream-deadletter-", 0) != 0, name);

  // A target topic that does not exist stops the replay at its first record (on the real
  // broker; the mock cluster creates topics when asked for them).
  o.republish_to = prefix + "missing";
  auto missing = replay::run(o);
  if (TestKafka::get().is_mock()) {
    CHECK(missing);
  } else {
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message.find("cannot republish to " + prefix + "missing") !=
          std::string::npos);
  }

  // The projector applies it like any record.
  f.start();
  CHECK(wait_until(
      [&] {
        return one(f.query("SELECT total_price FROM shopstream.orders WHERE id = 7")) == "70.00";
      },
      60s));
}

TEST_CASE("replay --rebuild restores lost read models beside a live projector") {
  ProjectorFixture f;
  f.start();
  f.publish("orders/create", order(1, "10.00", "2026-11-20T10:00:00-05:00"),
            "2026-11-20T15:00:00Z");
  f.publish("orders/updated", order(1, "12.00", "2026-11-20T12:00:00-05:00"),
            "2026-11-20T17:00:00Z");
  f.publish("products/create", R"({"id":5,"title":"Mug","updated_at":"2026-11-20T10:00:00-05:00"})",
            "2026-11-20T15:00:00Z");
  REQUIRE(f.caught_up());
  f.query("DELETE FROM shopstream.orders; DELETE FROM shopstream.products");

  auto dry = run_cli(f, "--rebuild --dry-run");
  CHECK_MESSAGE(dry.rc == 0, dry.log);
  CHECK(dry.out == "replay done: read 3 of 3 records, 3 matched (dry run: nothing written)\n");
  CHECK(one(f.query("SELECT count(*) FROM shopstream.orders")) == "0");

  auto rebuilt = run_cli(f, "--rebuild");
  CHECK_MESSAGE(rebuilt.rc == 0, rebuilt.log);
  CHECK_MESSAGE(rebuilt.out.rfind(
                    "replay done: read 3 of 3 records, 3 matched, 2 applied, 1 stale in ", 0) == 0,
                rebuilt.out);
  CHECK(rebuilt.log.find(R"("msg":"replay summary")") != std::string::npos);
  CHECK(one(f.query("SELECT total_price FROM shopstream.orders WHERE id = 1")) == "12.00");
  CHECK(one(f.query("SELECT title FROM shopstream.products WHERE id = 5")) == "Mug");

  // The live projector was not disturbed: it applies what comes next.
  f.publish("orders/updated", order(1, "14.00", "2026-11-20T13:00:00-05:00"),
            "2026-11-20T18:00:00Z");
  REQUIRE(f.caught_up());
  CHECK(one(f.query("SELECT total_price FROM shopstream.orders WHERE id = 1")) == "14.00");

  // Flags that do not go together fail before anything is read, with one clear line.
  for (const auto& [args, why] : std::vector<std::pair<std::string, std::string>>{
           {"--rebuild --topic orders", "--rebuild reads the four event topics"},
           {"--topic orders --republish-to orders", "is a topic being read"},
           {"--topic orders --partition 99 --dry-run", "there is no partition 99"},
           {"--topic orders --from-offset 5 --until-offset 5", "must be above --from-offset"},
           {"--topic orders --since 2026-11-20T00:00:00Z --until 1h --until-offset x",
            "invalid --until-offset"}}) {
    CAPTURE(args);
    auto r = run_cli(f, args);
    CHECK(r.rc != 0);
    CHECK_MESSAGE(r.log.find(why) != std::string::npos, r.log);
    CHECK(r.out.empty());
  }
}
