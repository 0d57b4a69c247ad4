// HttpServer::body_padding: a body of declared length reaches the handler with that much
// spare capacity past its end (the ingress parses webhook bodies in place with it),
// whether it came in the first read or after it. HttpServer::max_buffered_bytes: bodies
// being received or awaiting their answer are bounded in bytes over all connections.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "common/http_server.hpp"
#include "common/io_pool.hpp"
#include "tests/support/raw_socket.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream;
using namespace shopstream::test;
using namespace std::chrono_literals;

TEST_CASE("a body of declared length arrives with the padding reserved past its end") {
  IoPool pool(1);
  HttpServerOptions options;
  options.body_padding = 64;
  options.first_read_bytes = 1024;  // the 5,000-byte body takes further reads
  std::promise<std::pair<std::size_t, std::size_t>> seen;  // size, capacity
  HttpServer server(pool, options, [&](HttpRequest&& req, Responder respond, const Executor&) {
    seen.set_value({req.body().size(), req.body().capacity()});
    respond(json_response(200, "ok"));
  });
  auto port = server.listen("127.0.0.1", 0);
  REQUIRE(port);
  pool.start();
  RawSocket client(port.value());
  REQUIRE(
      client.send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                  "Content-Length: 5000\r\n\r\n" +
                  std::string(5000, ' ')));
  auto got = seen.get_future();
  REQUIRE(got.wait_for(10s) == std::future_status::ready);
  auto [size, capacity] = got.get();
  CHECK(size == 5000);
  CHECK(capacity >= 5000 + 64);
  CHECK(client.receive(5s).rfind("HTTP/1.1 200", 0) == 0);
  server.stop();
  pool.halt();
}

namespace {
std::string post_head(const std::string& fields) {
  return "POST /x HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" + fields + "\r\n";
}

// Everything the server sends until it closes the connection (or `timeout`).
std::string until_closed(RawSocket& s, std::chrono::milliseconds timeout) {
  std::string got;
  wait_until(
      [&] {
        got += s.receive(100ms);
        return s.closed();
      },
      timeout);
  return got;
}

// What the server sends until a whole JSON answer has arrived (its body ends in "}\n").
std::string until_answered(RawSocket& s, std::chrono::milliseconds timeout) {
  std::string got;
  wait_until(
      [&] {
        got += s.receive(100ms);
        return got.find("}\n") != std::string::npos || s.closed();
      },
      timeout);
  return got;
}
}  // namespace

TEST_CASE("bodies over the buffered-bytes budget are refused before they are read; it frees up") {
  IoPool pool(1);
  HttpServerOptions options;
  options.max_body_bytes = 64 * 1024;
  options.max_buffered_bytes = 100'000;
  std::atomic<int> refused{0};
  std::atomic<std::int64_t> reported{0};  // the sum of the hook's deltas
  std::atomic<int> open{0};               // the same for connections
  HttpServerHooks hooks;
  hooks.connections = [&](int delta) { open += delta; };
  hooks.over_budget = [&] { ++refused; };
  hooks.buffered = [&](std::int64_t delta) { reported += delta; };
  HttpServer server(
      pool, options,
      [](HttpRequest&& req, Responder respond, const Executor&) {
        respond(json_response(200, "ok", std::to_string(req.body().size())));
      },
      hooks);
  auto port = server.listen("127.0.0.1", 0);
  REQUIRE(port);
  pool.start();

  // A client declares 60,000 bytes and stalls after 10.
  RawSocket staller(port.value());
  REQUIRE(staller.send(post_head("Content-Length: 60000\r\n") + std::string(10, ' ')));
  REQUIRE(wait_until([&] { return server.buffered_bytes() == 60'000; }, 10s));
  CHECK(wait_until([&] { return reported == 60'000; }, 10s));  // reported just after

  // 50,000 more would go over: 503 with Retry-After at once, before any 100 Continue,
  // and the connection closes (its body was never read).
  RawSocket over(port.value());
  REQUIRE(over.send(post_head("Content-Length: 50000\r\nExpect: 100-continue\r\n")));
  auto answer = until_closed(over, 10s);
  CHECK(over.closed());
  CHECK(answer.rfind("HTTP/1.1 503", 0) == 0);
  CHECK(answer.find("Retry-After: 5\r\n") != std::string::npos);
  CHECK(answer.find("\"error\":\"unavailable\"") != std::string::npos);
  CHECK(answer.find("100 Continue") == std::string::npos);
  CHECK(refused == 1);

  // A chunked body counts as the largest body allowed: over too.
  RawSocket chunked(port.value());
  REQUIRE(chunked.send(post_head("Transfer-Encoding: chunked\r\n")));
  CHECK(until_closed(chunked, 10s).rfind("HTTP/1.1 503", 0) == 0);
  CHECK(refused == 2);

  // A body that fits is served, and gives its share back once answered.
  RawSocket small(port.value());
  REQUIRE(small.send(post_head("Content-Length: 1000\r\n") + std::string(1000, ' ')));
  auto served = until_answered(small, 10s);
  CHECK(served.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(served.find("\"message\":\"1000\"") != std::string::npos);
  CHECK(wait_until([&] { return server.buffered_bytes() == 60'000; }, 10s));
  CHECK(wait_until([&] { return reported == 60'000; }, 10s));  // reported just after

  // The staller finishes: served, and the budget is whole again.
  REQUIRE(staller.send(std::string(60'000 - 10, ' ')));
  CHECK(until_answered(staller, 10s).rfind("HTTP/1.1 200", 0) == 0);
  CHECK(wait_until([&] { return server.buffered_bytes() == 0; }, 10s));

  // So the request refused first now fits.
  RawSocket again(port.value());
  REQUIRE(again.send(post_head("Content-Length: 50000\r\n") + std::string(50'000, ' ')));
  CHECK(until_answered(again, 10s).rfind("HTTP/1.1 200", 0) == 0);
  CHECK(refused == 2);

  // A connection that closes mid-body gives its share back too.
  {
    RawSocket quitter(port.value());
    REQUIRE(quitter.send(post_head("Content-Length: 30000\r\n") + "{"));
    REQUIRE(wait_until([&] { return server.buffered_bytes() == 30'000; }, 10s));
  }
  CHECK(wait_until([&] { return server.buffered_bytes() == 0; }, 10s));
  CHECK(wait_until([&] { return reported == 0; }, 10s));
  // The connection hook's deltas add up to the server's count (staller, small and again
  // are open; over and chunked may still be lingering).
  CHECK(wait_until([&] { return open == static_cast<int>(server.connections()); }, 10s));
  CHECK(open >= 3);
  server.stop();
  pool.halt();
}

// A server that answers before it has read a whole body (413 for a body over the limit,
// 503 over the budget) and then closes with the rest unread makes the kernel reset the
// connection: a client still writing its body gets "connection reset" or "broken pipe",
// and many (those that write the whole request before reading) never read the answer; a
// reset also discards an answer the kernel has not yet sent. The client here writes its
// whole body at once, as most do: every byte must be taken, then the answer read.
TEST_CASE("an answer given before the body is read reaches a client that keeps sending") {
  IoPool pool(1);
  HttpServerOptions options;
  options.max_body_bytes = 64 * 1024;
  options.max_buffered_bytes = 100'000;
  HttpServer server(pool, options, [](HttpRequest&&, Responder respond, const Executor&) {
    respond(json_response(200, "ok"));
  });
  auto port = server.listen("127.0.0.1", 0);
  REQUIRE(port);
  pool.start();

  auto answer_while_sending = [&](const std::string& fields, std::size_t body_bytes) {
    RawSocket client(port.value());
    bool sent = false;
    std::thread writer(
        [&] { sent = client.send(post_head(fields) + std::string(body_bytes, ' ')); });
    auto got = until_answered(client, 10s);
    writer.join();
    CHECK(sent);
    CHECK(client.wait_closed(10s));  // and the server closes once the client is done
    return got;
  };
  for (int i = 0; i < 20; ++i) {
    CAPTURE(i);
    // Over the body limit: 413, though 4 MB more are on their way.
    auto too_large = answer_while_sending("Content-Length: 4000000\r\n", 4'000'000);
    CHECK(too_large.rfind("HTTP/1.1 413", 0) == 0);
    // Over the budget (a staller holds 60,000 of it): 503, body never read.
    RawSocket staller(port.value());
    REQUIRE(staller.send(post_head("Content-Length: 60000\r\n")));
    REQUIRE(wait_until([&] { return server.buffered_bytes() == 60'000; }, 10s));
    auto over = answer_while_sending("Content-Length: 50000\r\n", 50'000);
    CHECK(over.rfind("HTTP/1.1 503", 0) == 0);
  }
  server.stop();
  pool.halt();
}

// Connection timeouts: one sweeper per io_context checks each connection's deadline, which
// each phase sets (idle between requests, read from a request's first byte, the answer's
// write, the linger close) and the handler's own time clears.
TEST_CASE("each phase's timeout closes the connection, once and under its own name") {
  IoPool pool(1);
  HttpServerOptions options;
  options.read_timeout = 300ms;
  options.idle_timeout = 600ms;
  options.linger_timeout = 300ms;
  std::mutex mu;
  std::vector<std::string> timeouts;
  HttpServerHooks hooks;
  hooks.timeout = [&](std::string_view phase) {
    std::lock_guard lock(mu);
    timeouts.emplace_back(phase);
  };
  std::vector<std::thread> late;  // answers given after the read timeout has passed
  HttpServer server(
      pool, options,
      [&](HttpRequest&& req, Responder respond, const Executor&) {
        if (req.target() != "/slow") return void(respond(json_response(200, "ok")));
        late.emplace_back([respond] {
          std::this_thread::sleep_for(700ms);  // the handler's own pace, not a wait in the test
          respond(json_response(200, "late"));
        });
      },
      hooks);
  auto port = server.listen("127.0.0.1", 0);
  REQUIRE(port);
  pool.start();
  auto count = [&](std::string_view phase) {
    std::lock_guard lock(mu);
    return std::count(timeouts.begin(), timeouts.end(), phase);
  };

  // Idle: a connection that never sends is closed after the idle timeout, not before.
  auto started = std::chrono::steady_clock::now();
  RawSocket silent(port.value());
  CHECK(silent.wait_closed(10s));
  CHECK(std::chrono::steady_clock::now() - started >= 550ms);
  CHECK(wait_until([&] { return count("idle") == 1; }, 5s));

  // Read: headers that stop halfway are cut off after the read timeout.
  started = std::chrono::steady_clock::now();
  RawSocket halfway(port.value());
  REQUIRE(halfway.send("POST /x HTTP/1.1\r\nHost: t\r\n"));
  CHECK(halfway.wait_closed(10s));
  CHECK(std::chrono::steady_clock::now() - started >= 250ms);
  CHECK(wait_until([&] { return count("read") == 1; }, 5s));

  // Requests within the idle timeout keep a connection open well past it: each one moves
  // the deadline on.
  RawSocket busy(port.value());
  for (int i = 0; i < 6; ++i) {
    REQUIRE(busy.send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n"));
    CHECK(until_answered(busy, 5s).rfind("HTTP/1.1 200", 0) == 0);
    std::this_thread::sleep_for(200ms);  // the client's pace: 1.2 s in all, twice the timeout
  }
  CHECK_FALSE(busy.closed());
  CHECK(count("idle") == 1);

  // A handler slower than the read timeout still gets its answer out.
  RawSocket patient(port.value());
  REQUIRE(patient.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto answer = until_answered(patient, 10s);
  CHECK(answer.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(answer.find("late") != std::string::npos);
  CHECK(count("read") == 1);

  for (auto& t : late) t.join();
  server.stop();
  pool.halt();
}
