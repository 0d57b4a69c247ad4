// Fuzzing the HTTP server with raw bytes: mutants of valid requests (plain, chunked,
// pipelined, 100-continue, HTTP/1.0) sent on many connections at once. Whatever arrives,
// the server writes only well-formed answers of the statuses it documents, or closes;
// it keeps serving; and once every connection is gone, nothing stays counted against the
// connection cap or the body budget.
#include <doctest/doctest.h>

#include <charconv>
#include <memory>
#include <set>

#include "common/http_server.hpp"
#include "common/io_pool.hpp"
#include "tests/support/fuzz.hpp"
#include "tests/support/raw_socket.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream;
using namespace shopstream::test;
using namespace std::chrono_literals;

namespace {

// Splits what a server sent into answers; false if any part is not a well-formed answer
// (status line, headers, Content-Length body; 100 Continue without one).
bool well_formed(std::string_view wire, std::vector<int>& statuses) {
  while (!wire.empty()) {
    if (wire.rfind("HTTP/1.1 ", 0) != 0 && wire.rfind("HTTP/1.0 ", 0) != 0) return false;
    auto head_end = wire.find("\r\n\r\n");
    if (head_end == std::string_view::npos || wire.size() < 12) return false;
    int status = 0;
    if (std::from_chars(wire.data() + 9, wire.data() + 12, status).ec != std::errc()) return false;
    statuses.push_back(status);
    auto head = wire.substr(0, head_end);
    wire.remove_prefix(head_end + 4);
    if (status == 100) continue;
    auto at = head.find("\r\nContent-Length: ");
    if (at == std::string_view::npos) return false;
    std::size_t length = 0;
    auto digits = head.substr(at + 18);
    if (std::from_chars(digits.data(), digits.data() + digits.size(), length).ec != std::errc())
      return false;
    if (wire.size() < length) return false;
    wire.remove_prefix(length);
  }
  return true;
}

}  // namespace

TEST_CASE("fuzz: raw bytes get well-formed answers or a close, and leave nothing held") {
  IoPool pool(2);
  HttpServerOptions options;
  options.read_timeout = 300ms;  // incomplete mutants wait this long
  options.idle_timeout = 300ms;
  options.linger_timeout = 300ms;
  options.max_body_bytes = 4096;
  options.max_header_bytes = 2048;
  options.max_buffered_bytes = 64 * 1024;
  HttpServer server(pool, options, [](HttpRequest&& req, Responder respond, const Executor&) {
    respond(json_response(200, "ok", std::to_string(req.body().size())));
  });
  auto port = server.listen("127.0.0.1", 0);
  REQUIRE(port);
  pool.start();

  const std::string body = R"({"id":1,"note":"caf\u00e9"})";
  const std::string post =
      "POST /webhooks/shopify HTTP/1.1\r\nHost: t\r\nContent-Type: "
      "application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  std::vector<std::string> corpus = {
      post,
      post + post,  // pipelined
      "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n",
      "POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;x=y\r\n"
      "abc\r\n0\r\nTrailer: z\r\n\r\n",
      "POST /x HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
      "GET /x HTTP/1.0\r\n\r\n"};
  const std::set<int> documented = {100, 200, 400, 413, 431, 503};

  std::set<int> seen;
  std::vector<std::unique_ptr<RawSocket>> batch;
  std::vector<std::size_t> runs;
  auto collect = [&] {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      CAPTURE(runs[i]);
      std::string got;
      const bool closed = wait_until(
          [&] {
            got += batch[i]->receive(50ms);
            return batch[i]->closed();
          },
          10s);
      CHECK(closed);  // answered and closed, timed out, or idle: never held open
      std::vector<int> statuses;
      CHECK(well_formed(got, statuses));
      for (int s : statuses) CHECK(documented.count(s) == 1);
      seen.insert(statuses.begin(), statuses.end());
    }
    batch.clear();
    runs.clear();
    // Still serving.
    RawSocket probe(port.value());
    REQUIRE(probe.send(post));
    std::string answer;
    wait_until(
        [&] {
          answer += probe.receive(50ms);
          return answer.find("}\n") != std::string::npos || probe.closed();
        },
        10s);
    CHECK(answer.rfind("HTTP/1.1 200", 0) == 0);
  };
  fuzz(corpus, kHttpTokens, [&](const std::string& bytes, std::size_t run) {
    if (run % 10 != 0 && run >= corpus.size())
      return;  // a tenth of the runs: each costs a connection
    batch.push_back(std::make_unique<RawSocket>(port.value()));
    runs.push_back(run);
    batch.back()->send(bytes);
    if (batch.size() == 60) collect();
  });
  collect();
  // The mutants reached both sides of the parser.
  CHECK(seen.count(200) == 1);
  CHECK(seen.count(400) == 1);
  CHECK(wait_until([&] { return server.connections() == 0; }, 10s));
  CHECK(server.buffered_bytes() == 0);
  server.stop();
  pool.halt();
}
