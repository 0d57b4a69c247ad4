#pragma once
// HTTP/1.1 server on Boost.Beast: a listener and a session per connection. Each request
// is read whole (bounded in size and time) and handed to a RequestHandler, which answers
// later, from any thread, through a Responder. One request at a time per connection
// (pipelined requests wait), keep-alive, and a cap on connections.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/io_pool.hpp"
#include "common/result.hpp"

namespace shopstream {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;
// The connection's io_context (one thread). Its own type, not any_io_executor: a
// type-erased executor is copied, destroyed and dispatched through a virtual call.
using Executor = boost::asio::io_context::executor_type;

class Session;

// Answers one request. Copyable; thread-safe; only the first call counts (it returns
// true), later ones are ignored, so a deadline and a late result can race safely.
class Responder {
 public:
  explicit Responder(std::shared_ptr<Session> session);
  bool operator()(HttpResponse response) const;
  // Takes the connection over for a streamed answer (Server-Sent Events). Call only on
  // the connection's thread, instead of answering; the server then no longer counts,
  // times out or closes it. nullopt if an answer was already given.
  std::optional<boost::asio::ip::tcp::socket> detach() const;

 private:
  struct State {
    std::atomic<bool> done{false};
    std::shared_ptr<Session> session;
  };
  std::shared_ptr<State> state_;
};

// Runs on the connection's thread (`executor`); must not block.
using RequestHandler = std::function<void(HttpRequest&&, Responder, const Executor& executor)>;

struct HttpServerOptions {
  // A request's whole arrival from its first byte, and an answer's write. The timeouts
  // (these, linger_timeout) are checked by one timer per I/O thread every eighth of the
  // shortest (at most 1 s): each is met up to that late.
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};  // between requests
  std::uint64_t max_body_bytes = 2 * 1024 * 1024;
  std::uint32_t max_header_bytes = 16 * 1024;
  std::size_t max_connections = 10'000;
  // What the first read of a request reserves: large enough for a typical request in one
  // read (webhooks), small enough not to weigh on long-lived connections (SSE).
  std::size_t first_read_bytes = 4096;
  // Spare capacity reserved past a body of declared length, so that a parser reading past
  // the end (simdjson reads up to 64 bytes beyond) can parse the body in place.
  std::size_t body_padding = 0;
  // Most bytes of request bodies held at once over all connections, from a request's
  // headers (its declared length; a chunked body counts as max_body_bytes) until its
  // answer. A request that would go over is answered 503 before its body is read, so
  // clients that declare large bodies and stall cannot pin memory without bound.
  // 0: no budget.
  std::uint64_t max_buffered_bytes = 256 * 1024 * 1024;
  // After an answer given before the request was read whole (413, 503 over budget, 400),
  // how long the server half-closes and throws away what the client still sends, before
  // closing. Closing with unread bytes would reset the connection, and a client still
  // writing its body would see the reset instead of the answer (RFC 9112 §9.6).
  std::chrono::milliseconds linger_timeout{5'000};
  // After accept() fails for want of resources (no file descriptor left: EMFILE, ENFILE;
  // no memory), how long the server waits before accepting again. Retrying at once would
  // spin on the same pending connection; meanwhile new ones wait in the listen backlog.
  std::chrono::milliseconds accept_pause{100};
};

// Counters the server reports; every member may be empty.
struct HttpServerHooks {
  // Hooks that feed gauges report changes (+/-), not totals: two threads reporting totals
  // could land in the wrong order and leave a stale one.
  std::function<void(int delta)> connections;  // a connection opened (+1) or closed (-1)
  std::function<void()> connection_rejected;
  std::function<void()> accept_failed;  // accept() failed; accepting pauses (accept_pause)
  std::function<void(std::string_view phase)> timeout;
  std::function<void(unsigned status, std::string_view code)> protocol_error;
  std::function<void()> over_budget;  // a request refused: max_buffered_bytes reached
  // Bytes charged against max_buffered_bytes went up (+) or down (-) by this much: summed,
  // the deltas are buffered_bytes() (a gauge fed with them never shows a stale total).
  std::function<void(std::int64_t delta)> buffered;
};

// A JSON answer: {"error": code, "message": message}, or {"status": code} for 2xx.
HttpResponse json_response(unsigned status, std::string_view code, std::string_view message = {});

// The answer as it goes on the wire, into `out` (cleared first): for connections taken
// over with Responder::detach(). Call prepare_payload() on it first.
void serialize_response(const HttpResponse& res, bool with_body, std::string& out);

class HttpServer {
 public:
  // Accepts on the pool's first context and spreads connections over all of them.
  HttpServer(IoPool& pool, HttpServerOptions options, RequestHandler handler,
             HttpServerHooks hooks = {});
  ~HttpServer();

  // Binds and starts accepting. Returns the bound port (useful with port 0).
  Result<std::uint16_t> listen(const std::string& host, std::uint16_t port);
  // Destroy only after pool.halt(): the acceptor lives on the pool's first context.
  // Stops accepting and closes idle keep-alive connections; requests being read or
  // awaiting an answer finish, then their connections close. Thread-safe.
  void stop();
  // Waits until every connection has closed; false on timeout.
  bool wait_closed(std::chrono::milliseconds timeout);
  std::size_t connections() const;
  // Body bytes charged against max_buffered_bytes now.
  std::uint64_t buffered_bytes() const;

 private:
  friend class Session;
  struct State;
  void accept();
  void pause_accepting(const boost::system::error_code& ec);

  IoPool& pool_;
  std::shared_ptr<State> state_;  // shared with the sessions, which may outlive *this
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_pause_;  // on the acceptor's context, as its handlers
  std::uint64_t accept_failures_ = 0;       // since the last "accept failed" line
  std::chrono::steady_clock::time_point accept_logged_{};  // the epoch: long ago
};

}  // namespace shopstream
