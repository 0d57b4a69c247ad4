// Producer::deliver_on: delivery handlers run on the io_context's thread while the guard
// lives, on the poll thread after, and nothing is lost across the switch or when the
// producer goes before the guard.
#include <doctest/doctest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include "common/kafka/producer.hpp"
#include "tests/support/kafka.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream;
using namespace shopstream::test;
using namespace std::chrono_literals;

namespace {

struct Tally {
  std::mutex mu;
  int ok = 0, failed = 0, on_io = 0, elsewhere = 0;
  std::thread::id io_thread;
  kafka::DeliveryHandler handler() {
    return [this](const kafka::Delivery& d) {
      std::lock_guard lock(mu);
      (d.ok() ? ok : failed)++;
      (std::this_thread::get_id() == io_thread ? on_io : elsewhere)++;
    };
  }
  int done() {
    std::lock_guard lock(mu);
    return ok + failed;
  }
};

struct IoThread {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread{[this] { io.run(); }};
  ~IoThread() {
    work.reset();
    io.stop();
    thread.join();
  }
};

}  // namespace

TEST_CASE(
    "delivery handlers run on the io_context while the guard lives, then on the poll thread") {
  auto& kafka = TestKafka::get();
  auto prefix = unique_prefix();
  kafka.create_topics(prefix, 3);
  auto created = kafka::Producer::create({.brokers = kafka.bootstrap()});
  REQUIRE(created);
  auto& producer = *created.value();
  const std::string topic = prefix + "orders";
  const std::string value = R"({"id":1})";
  auto produce = [&](Tally& t, int n) {
    for (int i = 0; i < n; ++i)
      REQUIRE_FALSE(producer.produce({topic, "k" + std::to_string(i), value, {}}, t.handler()));
  };

  IoThread io;
  Tally pumped;
  pumped.io_thread = io.thread.get_id();
  {
    auto guard = producer.deliver_on(io.io);
    REQUIRE(guard);
    CHECK_FALSE(producer.deliver_on(io.io));  // one io_context at a time
    produce(pumped, 500);
    REQUIRE(wait_until([&] { return pumped.done() == 500; }, 30s));
  }
  CHECK(pumped.ok == 500);
  CHECK(pumped.on_io == 500);

  Tally after;
  after.io_thread = io.thread.get_id();
  produce(after, 200);
  REQUIRE(wait_until([&] { return after.done() == 200; }, 30s));
  CHECK(after.ok == 200);
  CHECK(after.elsewhere == 200);  // the guard is gone: back on the poll thread
  CHECK(read_topic(kafka.bootstrap(), topic).size() == 700);
}

TEST_CASE("a producer destroyed before its delivery guard reports every record once") {
  auto& kafka = TestKafka::get();
  auto prefix = unique_prefix();
  kafka.create_topics(prefix, 3);
  IoThread io;
  Tally tally;
  tally.io_thread = io.thread.get_id();
  std::shared_ptr<void> guard;
  {
    auto created = kafka::Producer::create({.brokers = kafka.bootstrap()});
    REQUIRE(created);
    auto& producer = *created.value();
    guard = producer.deliver_on(io.io);
    REQUIRE(guard);
    for (int i = 0; i < 300; ++i)
      REQUIRE_FALSE(
          producer.produce({prefix + "orders", std::to_string(i), "{}", {}}, tally.handler()));
    CHECK(producer.flush(30s) == 0);
  }  // the producer goes first; the guard must not touch it afterwards
  guard.reset();
  CHECK(tally.done() == 300);
  CHECK(tally.ok == 300);
}
