#include "ingress/deadline_queue.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <vector>

using namespace shopstream::ingress;
using namespace std::chrono_literals;

TEST_CASE("deadlines fall due in order; met ones never do and let go of their value at once") {
  boost::asio::io_context io;
  std::vector<int> expired;
  DeadlineQueue<std::shared_ptr<int>> q(io, 30ms,
                                        [&](std::shared_ptr<int>& v) { expired.push_back(*v); });
  auto kept = std::make_shared<int>(2);
  auto a = q.add(std::make_shared<int>(1));
  auto b = q.add(kept);
  auto c = q.add(std::make_shared<int>(3));
  CHECK(kept.use_count() == 2);
  q.cancel(b);
  CHECK(kept.use_count() == 1);  // released when met, not when it would have been due
  q.cancel(b);                   // twice: ignored
  q.cancel(c + 100);             // unknown: ignored
  const auto started = std::chrono::steady_clock::now();
  io.run();  // returns once the timer has nothing left to wait for
  CHECK(std::chrono::steady_clock::now() - started >= 25ms);
  CHECK(expired == std::vector<int>{1, 3});
  CHECK(q.pending() == 0);
  q.cancel(a);  // already expired: ignored
  CHECK(expired.size() == 2);
}

TEST_CASE("meeting the oldest deadlines keeps the queue short and the later ones due") {
  boost::asio::io_context io;
  int expired = 0;
  DeadlineQueue<int> q(io, 20ms, [&](int&) { ++expired; });
  for (int round = 0; round < 1000; ++round) {
    auto id = q.add(round);
    q.cancel(id);
  }
  CHECK(q.pending() == 0);
  auto first = q.add(1);
  auto second = q.add(2);
  q.cancel(first);  // the oldest: dropped at once
  CHECK(q.pending() == 1);
  io.run();
  CHECK(expired == 1);
  (void)second;
  // Added after the timer went idle: armed again.
  q.add(3);
  io.restart();
  io.run();
  CHECK(expired == 2);
}
