// The SSE hub's batches keep the reader's Kafka messages until the shards are done with
// them. A server that halts its threads with batches still queued must still shut down:
// librdkafka's destroy waits for every message of its handle.
#include <doctest/doctest.h>

#include <future>
#include <thread>

#include "common/io_pool.hpp"
#include "common/kafka/producer.hpp"
#include "consumers/sse/hub.hpp"
#include "tests/support/kafka.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream;
using namespace shopstream::test;
using namespace std::chrono_literals;

TEST_CASE("the SSE hub goes promptly with batches still queued on halted threads") {
  auto& kafka = TestKafka::get();
  auto prefix = unique_prefix();
  kafka.create_topics(prefix, 3);

  auto pool = std::make_unique<IoPool>(1);  // never started: every batch stays queued
  consumers::sse::HubOptions options;
  options.reader.brokers = kafka.bootstrap();
  options.topic_prefix = prefix;
  options.idle_pause = 0ms;  // it reads with nobody subscribed
  auto started = consumers::sse::Hub::start(options, *pool);
  REQUIRE_MESSAGE(started, (started ? "" : started.error().message));
  std::unique_ptr<consumers::sse::Hub> hub = std::move(started.value());

  auto producer = kafka::Producer::create({.brokers = kafka.bootstrap()});
  REQUIRE(producer);
  for (int i = 0; i < 50; ++i)
    REQUIRE_FALSE(producer.value()->produce({prefix + "orders",
                                             std::to_string(i),
                                             R"({"id":1})",
                                             {{"x-shopify-shop-domain", "hub-test.myshopify.com"}}},
                                            [](const kafka::Delivery&) {}));
  REQUIRE(producer.value()->flush(30s) == 0);
  REQUIRE(wait_until([&] { return hub->records_read() == 50; }, 30s));

  // On a thread of its own: if it hangs, the test fails instead of hanging with it.
  auto gone = std::make_shared<std::promise<void>>();
  auto gone_future = gone->get_future();
  std::thread([hub = std::move(hub), gone]() mutable {
    hub.reset();
    gone->set_value();
  }).detach();
  REQUIRE(gone_future.wait_for(30s) == std::future_status::ready);
  pool.reset();  // the queued batches go, and the reader with the last of them
}
