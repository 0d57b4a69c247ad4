// HttpServer::body_padding: a body of declared length reaches the handler with that much
// spare capacity past its end (the ingress parses webhook bodies in place with it),
// whether it came in the first read or after it.
#include <doctest/doctest.h>

#include <future>
#include <utility>

#include "common/http_server.hpp"
#include "common/io_pool.hpp"
#include "tests/support/raw_socket.hpp"

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
