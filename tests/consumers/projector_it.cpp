// The projector's rules with real Kafka and real Postgres. Every scenario runs twice:
// all its events in one batch, and one event per batch (the projector catches up after
// each), so both the in-batch and the across-batch paths are shown.
#include <doctest/doctest.h>

#include <functional>

#include "tests/support/metrics.hpp"
#include "tests/support/projector_fixture.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream::test;
using namespace std::chrono_literals;

namespace {

struct Step {
  std::string topic, body, triggered_at;
};

// Runs `steps` through a fresh projector in the given mode, then `check`.
void scenario(const std::vector<Step>& steps, const std::function<void(ProjectorFixture&)>& check) {
  // Both modes side by side, so their projectors join their consumer groups together: the
  // mock cluster holds a new group's first join for 3 s.
  ProjectorFixture batched, stepwise;
  stepwise.start();
  for (const auto& s : steps) batched.publish(s.topic, s.body, s.triggered_at);
  batched.start();
  for (const auto& s : steps) {
    stepwise.publish(s.topic, s.body, s.triggered_at);
    REQUIRE(stepwise.caught_up());
  }
  REQUIRE(batched.caught_up());
  for (auto* f : {&batched, &stepwise}) {
    const bool one_batch = f == &batched;
    CAPTURE(one_batch);
    check(*f);
  }
}

std::string order(long id, const std::string& updated_at, const std::string& total,
                  std::string line_items = "", const std::string& extra = "") {
  if (line_items.empty())  // line item ids are unique across orders, as Shopify's are
    line_items = R"([{"id":)" + std::to_string(id * 100) + R"(,"quantity":1,"price":"10.00"}])";
  return R"({"id":)" + std::to_string(id) + R"(,"email":"ann@example.com","customer":{"id":77},)" +
         R"("currency":"USD","total_price":")" + total +
         R"(","created_at":"2026-11-20T10:00:00-05:00",)" + R"("updated_at":")" + updated_at +
         R"(","line_items":)" + line_items + extra + "}";
}

std::string one(pqxx::result r) {
  return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
}

}  // namespace

TEST_CASE("an update that arrives before its create wins over it") {
  scenario(
      {{"orders/updated", order(1, "2026-11-20T11:00:00-05:00", "20.00"), "2026-11-20T16:00:00Z"},
       {"orders/create", order(1, "2026-11-20T10:00:00-05:00", "10.00"), "2026-11-20T15:00:00Z"}},
      [](ProjectorFixture& f) {
        CHECK(one(f.query("SELECT total_price FROM shopstream.orders WHERE id = 1")) == "20.00");
        CHECK(one(f.query("SELECT count(*) FROM shopstream.orders")) == "1");
      });
}

TEST_CASE("a stale update after a newer one changes nothing") {
  auto stale_before = metric_value("shopstream_projector_events_total",
                                   {{"topic", "orders/updated"}, {"outcome", "stale"}});
  scenario(
      {{"orders/create", order(2, "2026-11-20T10:00:00-05:00", "10.00"), "2026-11-20T15:00:00Z"},
       {"orders/updated", order(2, "2026-11-20T12:00:00-05:00", "30.00"), "2026-11-20T17:00:00Z"},
       // The same instant as the create, written at another UTC offset: still older.
       {"orders/updated", order(2, "2026-11-20T16:30:00+01:00", "15.00"), "2026-11-20T15:30:00Z"}},
      [](ProjectorFixture& f) {
        CHECK(one(f.query("SELECT total_price FROM shopstream.orders WHERE id = 2")) == "30.00");
      });
  // Counted as stale in both modes: set aside within the batch, or refused by Postgres.
  CHECK(metric_value("shopstream_projector_events_total",
                     {{"topic", "orders/updated"}, {"outcome", "stale"}}) >= stale_before + 2);
}

TEST_CASE("a duplicate delivery is applied once") {
  auto body =
      order(3, "2026-11-20T10:00:00-05:00", "25.00",
            R"([{"id":31,"quantity":2,"price":"10.00"},{"id":32,"quantity":1,"price":"5.00"}])");
  scenario({{"orders/create", body, "2026-11-20T15:00:00Z"},
            {"orders/create", body, "2026-11-20T15:00:00Z"}},
           [](ProjectorFixture& f) {
             CHECK(one(f.query("SELECT count(*) FROM shopstream.orders")) == "1");
             CHECK(one(f.query("SELECT count(*) FROM shopstream.order_line_items")) == "2");
             CHECK(one(f.query("SELECT sum(quantity) FROM shopstream.order_line_items")) == "3");
           });
}

TEST_CASE("a delete is final: a stale update after it does not bring the row back") {
  scenario(
      {{"orders/create", order(4, "2026-11-20T10:00:00-05:00", "10.00"), "2026-11-20T15:00:00Z"},
       {"orders/delete", R"({"id":4})", "2026-11-20T18:00:00Z"},
       {"orders/updated", order(4, "2026-11-20T11:00:00-05:00", "11.00"), "2026-11-20T16:00:00Z"}},
      [](ProjectorFixture& f) {
        CHECK(one(f.query("SELECT deleted_at = '2026-11-20T18:00:00Z' FROM shopstream.orders WHERE "
                          "id = 4")) == "t");
      });
  // The delete first, the create a day late: a tombstone keeps it deleted.
  scenario(
      {{"products/delete", R"({"id":9})", "2026-11-20T18:00:00Z"},
       {"products/create",
        R"({"id":9,"title":"Late","updated_at":"2026-11-20T10:00:00Z","variants":[]})",
        "2026-11-20T10:00:00Z"}},
      [](ProjectorFixture& f) {
        CHECK(one(f.query("SELECT deleted_at IS NOT NULL FROM shopstream.products WHERE id = 9")) ==
              "t");
        CHECK(one(f.query("SELECT title FROM shopstream.products WHERE id = 9")) == "Late");
      });
}

TEST_CASE("an order edit that removes a line item removes it from the read model") {
  scenario(
      {{"orders/create",
        order(
            5, "2026-11-20T10:00:00-05:00", "35.00",
            R"([{"id":51,"quantity":1,"price":"10.00"},{"id":52,"quantity":1,"price":"20.00"},{"id":53,"quantity":1,"price":"5.00"}])"),
        "2026-11-20T15:00:00Z"},
       {"orders/updated",
        order(5, "2026-11-20T11:00:00-05:00", "15.00",
              R"([{"id":51,"quantity":1,"price":"10.00"},{"id":53,"quantity":1,"price":"5.00"}])"),
        "2026-11-20T16:00:00Z"}},
      [](ProjectorFixture& f) {
        CHECK(
            one(f.query(
                "SELECT string_agg(id::text, ',' ORDER BY id) FROM shopstream.order_line_items")) ==
            "51,53");
      });
}

TEST_CASE("redacting a customer blanks their data and their orders', and it stays blank") {
  const std::string customer =
      R"({"id":77,"email":"ann@example.com","first_name":"Ann","last_name":"Lee","phone":"+15550100","state":"enabled","updated_at":"2026-11-20T10:00:00Z"})";
  const std::string late_update =
      R"({"id":77,"email":"ann@example.com","first_name":"Ann","last_name":"Lee","phone":"+15550100","state":"enabled","updated_at":"2026-11-20T12:00:00Z"})";
  scenario(
      {{"customers/create", customer, "2026-11-20T10:00:00Z"},
       {"orders/create", order(6, "2026-11-20T10:00:00-05:00", "10.00"), "2026-11-20T15:00:00Z"},
       {"customers/redact",
        R"({"shop_id":1,"shop_domain":"demo.myshopify.com","customer":{"id":77,"email":"ann@example.com"},"orders_to_redact":[6,66]})",
        "2026-11-22T10:00:00Z"},
       {"customers/update", late_update, "2026-11-20T12:00:00Z"},
       {"orders/create", order(66, "2026-11-20T10:00:00-05:00", "10.00"), "2026-11-20T15:00:00Z"}},
      [](ProjectorFixture& f) {
        auto c = f.query(
            "SELECT email, first_name, last_name, phone, redacted_at IS NOT NULL, state "
            "FROM shopstream.customers WHERE id = 77");
        REQUIRE(c.size() == 1);
        for (int i = 0; i < 4; ++i) CHECK(c[0][i].is_null());
        CHECK(c[0][4].as<bool>());
        CHECK(std::string(c[0][5].c_str()) == "enabled");
        CHECK(one(f.query("SELECT count(*) FROM shopstream.orders WHERE email IS NOT NULL")) ==
              "0");
        CHECK(one(f.query(
                  "SELECT count(*) FROM shopstream.orders WHERE redacted_at IS NOT NULL")) == "2");
      });
}

TEST_CASE("a malformed record goes to the deadletter topic and does not block the next one") {
  scenario(
      {{"orders/updated", R"({"id":7,"total_price":"twelve"})", "2026-11-20T15:00:00Z"},
       {"orders/updated", order(7, "2026-11-20T10:00:00-05:00", "12.00"), "2026-11-20T15:00:01Z"}},
      [](ProjectorFixture& f) {
        CHECK(one(f.query("SELECT total_price FROM shopstream.orders WHERE id = 7")) == "12.00");
        auto dead = f.deadletters();
        REQUIRE(dead.size() == 1);
        CHECK(dead[0].value == R"({"id":7,"total_price":"twelve"})");
        CHECK(dead[0].key == "demo.myshopify.com/7");
        CHECK(dead[0].headers.at("shopstream-deadletter-reason").find("total_price") !=
              std::string::npos);
        CHECK(dead[0].headers.at("shopstream-deadletter-topic") ==
              f.settings().topic_prefix + "orders");
        CHECK(dead[0].headers.at("x-shopify-topic") == "orders/updated");
      });
}

TEST_CASE("a record with no key and no value is deadlettered as it was, still without them") {
  ProjectorFixture f;
  const auto orders = f.settings().topic_prefix + "orders";
  // Not a webhook (a tombstone some other producer wrote): Kafka tells "no key" from an
  // empty one, and so must the deadletter, or republishing it would move its partition.
  produce_at(f.settings().kafka_brokers, orders, 0,
             {{"", "", 1'790'000'000'000, {{"x-shopify-topic", "orders/create"}}, true, true}});
  f.publish("orders/create", order(8, "2026-11-20T10:00:00-05:00", "8.00"), "2026-11-20T15:00:00Z");
  f.start();
  std::vector<ConsumedRecord> dead;
  REQUIRE(wait_until(
      [&] {
        dead = f.deadletters();
        return !dead.empty();
      },
      60s));
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].null_key);
  CHECK(dead[0].null_value);
  CHECK(dead[0].headers.at("shopstream-deadletter-topic") == orders);
  CHECK(wait_until(
      [&] {
        return one(f.query("SELECT total_price FROM shopstream.orders WHERE id = 8")) == "8.00";
      },
      60s));
}

TEST_CASE("compliance: data requests, shop redaction and uninstall are recorded") {
  scenario(
      {{"customers/create",
        R"({"id":88,"email":"x@example.com","first_name":"X","updated_at":"2026-11-20T10:00:00Z"})",
        "2026-11-20T10:00:00Z"},
       {"customers/data_request",
        R"({"shop_id":1,"shop_domain":"demo.myshopify.com","customer":{"id":88},"orders_requested":[1,2],"data_request":{"id":9999}})",
        "2026-11-21T10:00:00Z"},
       {"app/uninstalled", R"({"id":1,"domain":"demo.myshopify.com"})", "2026-11-22T10:00:00Z"},
       {"shop/redact", R"({"shop_id":1,"shop_domain":"demo.myshopify.com"})",
        "2026-11-24T10:00:00Z"}},
      [](ProjectorFixture& f) {
        CHECK(one(f.query(
                  "SELECT orders_requested::text FROM shopstream.data_requests WHERE id = 9999")) ==
              "{1,2}");
        auto s = f.query(
            "SELECT uninstalled_at = '2026-11-22T10:00:00Z', redacted_at = '2026-11-24T10:00:00Z', "
            "installed_at IS NOT NULL FROM shopstream.shops");
        REQUIRE(s.size() == 1);
        CHECK(s[0][0].as<bool>());
        CHECK(s[0][1].as<bool>());
        CHECK(s[0][2].as<bool>());
        CHECK(one(f.query("SELECT count(*) FROM shopstream.customers WHERE email IS NOT NULL OR "
                          "first_name IS NOT NULL")) == "0");
      });
}

TEST_CASE("an event Postgres refuses is deadlettered alone; the rest of its batch applies") {
  // Two orders claiming one line item id: decodable, but the second cannot be stored.
  const std::string shared = R"([{"id":555,"quantity":1,"price":"10.00"}])";
  scenario(
      {{"orders/create", order(10, "2026-11-20T10:00:00-05:00", "10.00", shared),
        "2026-11-20T15:00:00Z"},
       {"orders/create", order(11, "2026-11-20T10:00:00-05:00", "10.00", shared),
        "2026-11-20T15:00:01Z"},
       {"orders/create", order(12, "2026-11-20T10:00:00-05:00", "12.00"), "2026-11-20T15:00:02Z"},
       {"customers/create",
        R"({"id":5,"email":"z@example.com","updated_at":"2026-11-20T10:00:00Z"})",
        "2026-11-20T15:00:03Z"}},
      [](ProjectorFixture& f) {
        CHECK(one(f.query("SELECT string_agg(id::text, ',' ORDER BY id) FROM shopstream.orders")) ==
              "10,12");
        CHECK(one(f.query("SELECT order_id FROM shopstream.order_line_items WHERE id = 555")) ==
              "10");
        CHECK(one(f.query("SELECT count(*) FROM shopstream.customers")) == "1");
        auto dead = f.deadletters();
        REQUIRE(dead.size() == 1);
        CHECK(dead[0].key == "demo.myshopify.com/11");
        CHECK(dead[0].headers.at("shopstream-deadletter-reason").find("postgres") !=
              std::string::npos);
      });
}

namespace {

// An order with two line items whose ids are derived from the order's.
std::string order_with_two_items(long id) {
  return order(id, "2026-11-20T10:00:00-05:00", "20.00",
               R"([{"id":)" + std::to_string(id * 10 + 1) + R"(,"quantity":1,"price":"10.00"},)" +
                   R"({"id":)" + std::to_string(id * 10 + 2) +
                   R"(,"quantity":1,"price":"10.00"}])");
}

}  // namespace

TEST_CASE("a projector joining and another leaving mid-stream: every event applied, once") {
  ProjectorFixture f;
  // A member that left uncleanly would hold the group's rebalance for this long.
  f.settings().kafka_properties = "session.timeout.ms=6000,heartbeat.interval.ms=500";
  f.start();
  std::unique_ptr<shopstream::consumers::BackgroundProjector> second;
  constexpr long kOrders = 300;
  for (long id = 1; id <= kOrders; ++id) {
    f.publish("orders/create", order_with_two_items(1000 + id), "2026-11-20T15:00:00Z");
    if (id == 100) {
      REQUIRE(f.caught_up());
      second = shopstream::consumers::BackgroundProjector::start(f.settings()).value();
    }
    if (id == 200) {
      REQUIRE(f.caught_up());
      f.stop();  // the first leaves: its partitions move to the second
    }
  }
  REQUIRE(f.caught_up());
  CHECK(one(f.query("SELECT count(*) FROM shopstream.orders")) == std::to_string(kOrders));
  CHECK(one(f.query("SELECT count(*) FROM shopstream.order_line_items")) ==
        std::to_string(2 * kOrders));
  CHECK(one(f.query("SELECT count(*) FROM shopstream.order_line_items li JOIN shopstream.orders o "
                    "ON o.id = li.order_id AND li.id / 10 = o.id")) == std::to_string(2 * kOrders));
}

TEST_CASE("a backlog larger than the prefetch queue is read in full, the fetcher kept busy") {
  // A 4 KiB prefetch queue is full with two orders: librdkafka 2.0 then stops fetching
  // until its broker thread wakes (up to a second), unless the projector wakes it.
  ProjectorFixture f;
  f.settings().kafka_properties = "queued.max.messages.kbytes=4";
  constexpr long kOrders = 150;
  const std::string note = R"(,"note":")" + std::string(3000, 'n') + R"(")";  // ~3.5 KB orders
  for (long id = 1; id <= kOrders; ++id)
    f.publish("orders/create", order(5000 + id, "2026-11-20T10:00:00-05:00", "20.00", "", note),
              "2026-11-20T15:00:00Z");
  auto wakeups = metric_value("shopstream_projector_fetch_wakeups_total");
  f.start();
  REQUIRE(f.caught_up());
  CHECK(one(f.query("SELECT count(*) FROM shopstream.orders")) == std::to_string(kOrders));
  CHECK(metric_value("shopstream_projector_fetch_wakeups_total") > wakeups);
}
