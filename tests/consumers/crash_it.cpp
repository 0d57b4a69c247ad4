// Crash safety: the projector killed with SIGKILL at random points while events flow
// ends with exactly the rows of a clean run over the same events.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <random>
#include <thread>

#include "tests/support/process.hpp"
#include "tests/support/projector_fixture.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream::test;
using namespace std::chrono_literals;

namespace {

struct Ev {
  std::string topic, body, when;
};

std::string ts(int minute) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "2026-11-20T%02d:%02d:00-05:00", 8 + minute / 60, minute % 60);
  return buf;
}

// A deterministic stream: orders edited several times (line items added and removed),
// some deleted, some refunded; products with variants; customers. Mildly out of order.
std::vector<Ev> make_stream(int orders) {
  std::mt19937 rng(20261121);
  std::vector<Ev> out;
  for (int i = 1; i <= orders; ++i) {
    int versions = 1 + static_cast<int>(rng() % 3);
    for (int v = 0; v < versions; ++v) {
      std::string items;
      int n = 1 + static_cast<int>((rng() + v) % 3);
      for (int k = 0; k < n; ++k)
        items += std::string(k ? "," : "") + R"({"id":)" + std::to_string(i * 10 + k) +
                 R"(,"quantity":)" + std::to_string(1 + v) + R"(,"price":")" +
                 std::to_string(5 + k) + ".00\"}";
      std::string body = R"({"id":)" + std::to_string(i) + R"(,"email":"c)" +
                         std::to_string(i % 17) + R"(@example.com","customer":{"id":)" +
                         std::to_string(1000 + i % 17) + R"(},"total_price":")" +
                         std::to_string(10 * (v + 1)) + R"(.00","created_at":")" + ts(i % 600) +
                         R"(","updated_at":")" + ts(i % 600 + v) + R"(","line_items":[)" + items +
                         "]}";
      out.push_back({v ? "orders/updated" : "orders/create", body, ts(i % 600 + v)});
    }
    if (i % 7 == 0)
      out.push_back({"orders/delete", R"({"id":)" + std::to_string(i) + "}", ts(i % 600 + 5)});
    if (i % 5 == 0)
      out.push_back({"refunds/create",
                     R"({"id":)" + std::to_string(50000 + i) + R"(,"order_id":)" +
                         std::to_string(i) + R"(,"created_at":")" + ts(i % 600 + 9) +
                         R"(","refund_line_items":[{"subtotal":"5.00"}]})",
                     ts(i % 600 + 9)});
    if (i % 3 == 0)
      out.push_back({"products/update",
                     R"({"id":)" + std::to_string(2000 + i % 40) + R"(,"title":"P)" +
                         std::to_string(i) + R"(","updated_at":")" + ts(i % 600) +
                         R"(","variants":[{"id":)" + std::to_string(3000 + i % 40) +
                         R"(,"price":"9.99","inventory_quantity":)" + std::to_string(i) + "}]}",
                     ts(i % 600)});
    if (i % 4 == 0)
      out.push_back({"customers/update",
                     R"({"id":)" + std::to_string(1000 + i % 17) + R"(,"email":"c)" +
                         std::to_string(i % 17) + R"(@example.com","first_name":"N)" +
                         std::to_string(i) + R"(","updated_at":")" + ts(i % 600) + "\"}",
                     ts(i % 600)});
  }
  // Mild reordering: swap neighbours now and then.
  for (std::size_t i = 1; i < out.size(); i += 1 + rng() % 5) std::swap(out[i - 1], out[i]);
  return out;
}

std::string snapshot(ProjectorFixture& f) {
  std::string all;
  for (const char* q : {"SELECT * FROM shopstream.orders ORDER BY shop_domain, id",
                        "SELECT * FROM shopstream.order_line_items ORDER BY shop_domain, id",
                        "SELECT * FROM shopstream.products ORDER BY shop_domain, id",
                        "SELECT * FROM shopstream.product_variants ORDER BY shop_domain, id",
                        "SELECT * FROM shopstream.customers ORDER BY shop_domain, id",
                        "SELECT * FROM shopstream.refunds ORDER BY shop_domain, id",
                        "SELECT * FROM shopstream.shops ORDER BY shop_domain"}) {
    all += std::string(q) + "\n";
    for (auto row : f.query(q)) {
      for (auto field : row) all += (field.is_null() ? "NULL" : field.c_str()) + std::string("|");
      all += "\n";
    }
  }
  return all;
}

}  // namespace

TEST_CASE("SIGKILL at random points while events flow: the rows equal a clean run's") {
  auto stream = make_stream(250);

  ProjectorFixture clean;
  for (const auto& e : stream) clean.publish(e.topic, e.body, e.when);
  clean.start();
  REQUIRE(clean.caught_up());
  auto expected = snapshot(clean);
  REQUIRE(clean.query("SELECT count(*) FROM shopstream.order_line_items")[0][0].as<int>() > 250);

  ProjectorFixture crashed;
  const auto& s = crashed.settings();
  std::map<std::string, std::string> env = {
      {"SHOPSTREAM_KAFKA_BROKERS", s.kafka_brokers},
      {"SHOPSTREAM_DATABASE_URL", s.database_url},
      {"SHOPSTREAM_TOPIC_PREFIX", s.topic_prefix},
      {"SHOPSTREAM_PROJECTOR_GROUP", s.projector_group},
      {"SHOPSTREAM_TOPIC_REPLICATION", "1"},
      {"SHOPSTREAM_METRICS_ADDR", "127.0.0.1:0"},
      // A killed member leaves the group when its
      // session times out: keep that short here.
      {"SHOPSTREAM_KAFKA_PROPERTIES", "session.timeout.ms=4000,heartbeat.interval.ms=500"}};
  auto log = std::filesystem::temp_directory_path() / ("crash-" + s.topic_prefix + "log");
  auto applied = [&] {
    return crashed
        .query("SELECT coalesce(sum(next_offset), 0) FROM shopstream.consumer_offsets")[0][0]
        .as<std::size_t>();
  };

  std::atomic<bool> done_publishing{false};
  std::thread publisher([&] {
    for (std::size_t i = 0; i < stream.size(); ++i) {
      crashed.publish(stream[i].topic, stream[i].body, stream[i].when);
      // Events keep flowing across the kills; pacing is the behaviour, not a wait.
      std::this_thread::sleep_for(60ms);
    }
    done_publishing = true;
  });

  std::mt19937 rng(7);
  int kills = 0;
  for (; kills < 6; ++kills) {
    ChildProcess proc({SHOPSTREAM_BINARY, "project"}, env, log.string() + std::to_string(kills));
    auto before = applied();
    // Kill only once it has made progress, at a random moment after that.
    bool progressed = wait_until([&] { return applied() > before; }, 60s);
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 150));
    proc.signal(SIGKILL);
    REQUIRE(proc.wait(10s).has_value());
    if (!progressed) break;  // everything was already applied
  }
  publisher.join();
  REQUIRE(done_publishing);
  MESSAGE("killed the projector " << kills << " times");
  CHECK(kills >= 3);

  auto ready = log.string() + "-ready";
  ChildProcess last({SHOPSTREAM_BINARY, "project", "--ready-file", ready}, env,
                    log.string() + "-last");
  REQUIRE(wait_until([&] { return std::filesystem::exists(ready); }, 30s));
  REQUIRE(crashed.caught_up(120s));
  last.signal(SIGTERM);
  CHECK(last.wait(30s) == 0);

  auto got = snapshot(crashed);
  CHECK(got.size() == expected.size());
  CHECK(got == expected);
}
