#include "common/http_server.hpp"

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "common/log.hpp"

namespace shopstream {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
// A connection's socket names its io_context's executor type, not the type-erased
// any_io_executor: Beast's composed reads and writes copy and destroy the executor several
// times a request.
using Socket = tcp::socket::rebind_executor<net::io_context::executor_type>::other;
using Clock = std::chrono::steady_clock;

HttpResponse json_response(unsigned status, std::string_view code, std::string_view message) {
  HttpResponse res{static_cast<http::status>(status), 11};
  res.set(http::field::content_type, "application/json");
  std::string body;
  body.reserve(16 + code.size() + (message.empty() ? 0 : 14 + message.size()));
  body += status < 300 ? "{\"status\":" : "{\"error\":";
  log::append_json_string(body, code);
  if (!message.empty()) {
    body += ",\"message\":";
    log::append_json_string(body, message);
  }
  body += "}\n";
  res.body() = std::move(body);
  return res;
}

// The whole answer into one buffer: one write, no scatter of Beast's serializer (its
// buffer iterators cost more than the copy for answers this small).
// A HEAD answer keeps its Content-Length but not its body (RFC 9110 §9.3.2).
void serialize_response(const HttpResponse& res, bool with_body, std::string& out) {
  out.clear();
  out += res.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(res.result_int());
  out += ' ';
  out += std::string_view(res.reason().data(), res.reason().size());
  out += "\r\n";
  for (const auto& f : res) {
    out += std::string_view(f.name_string().data(), f.name_string().size());
    out += ": ";
    out += std::string_view(f.value().data(), f.value().size());
    out += "\r\n";
  }
  out += "\r\n";
  if (with_body) out += res.body();
}

// The read, write, idle and linger deadlines of one io_context's connections, checked by
// one timer every `tick`: setting a deadline is a store. (A Beast stream armed an Asio timer
// for every read and write and cancelled it after: heap operations under the scheduler's
// lock, an allocation and a completion to run, 3-4% of the ingress's CPU.) A deadline is
// met up to one tick late. On its io_context's thread only.
class Sweeper : public std::enable_shared_from_this<Sweeper> {
 public:
  Sweeper(net::io_context& io, Clock::duration tick) : io_(io), timer_(io), tick_(tick) {}
  net::io_context& io() { return io_; }
  void watch(std::weak_ptr<Session> session);

 private:
  void arm();
  void sweep();

  net::io_context& io_;
  net::basic_waitable_timer<Clock, net::wait_traits<Clock>, net::io_context::executor_type> timer_;
  Clock::duration tick_;
  std::vector<std::weak_ptr<Session>> sessions_;  // closed ones dropped by the next sweep
  bool armed_ = false;
};

namespace {

// An eighth of the shortest timeout, between 5 ms and 1 s.
Clock::duration sweep_tick(const HttpServerOptions& o) {
  auto shortest = std::min({o.read_timeout, o.idle_timeout, o.linger_timeout});
  return std::clamp<Clock::duration>(shortest / 8, std::chrono::milliseconds(5),
                                     std::chrono::seconds(1));
}

}  // namespace

struct HttpServer::State {
  HttpServerOptions options;
  RequestHandler handler;
  HttpServerHooks hooks;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> buffered{0};  // bytes charged by requests not yet answered
  std::mutex mu;
  std::condition_variable closed;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;

  std::size_t connections() {
    std::lock_guard lock(mu);
    return sessions.size();
  }
  void on_session_open(Session* s, std::weak_ptr<Session> w);
  void on_session_close(Session* s);
  std::vector<std::shared_ptr<Sweeper>> sweepers;  // one per io_context of the pool
  Sweeper& sweeper_of(net::io_context& io) {
    for (auto& s : sweepers)
      if (&s->io() == &io) return *s;
    return *sweepers.front();  // not reached: every context of the pool has one
  }
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket&& socket, std::shared_ptr<HttpServer::State> state, Sweeper& sweeper)
      : socket_(std::move(socket)), state_(std::move(state)), server_(*state_), sweeper_(sweeper) {}

  ~Session() {
    release_body();
    server_.on_session_close(this);
  }

  void start() {
    server_.on_session_open(this, weak_from_this());
    net::dispatch(socket_.get_executor(), [self = shared_from_this()] {
      self->sweeper_.watch(self);
      self->wait_for_request();
    });
  }

  // From the sweeper: a deadline that has passed cuts off what the connection waits for;
  // its handler sees the timeout.
  void check_deadline(Clock::time_point now) {
    if (now < deadline_) return;
    deadline_ = Clock::time_point::max();
    timed_out_ = true;
    beast::error_code ignored;
    socket_.cancel(ignored);
  }

  // On the connection's thread: closes the connection now if it is between requests or
  // only throwing away what a refused client still sends.
  void on_stop() {
    beast::error_code ignored;
    if (idle_ || lingering_) socket_.cancel(ignored);
  }

  // On the connection's thread: the handler's answer.
  void send(HttpResponse res) {
    release_body();  // the handler is done with the request
    bool keep_alive = keep_alive_ && !server_.stopping_;
    res.keep_alive(keep_alive);
    res.prepare_payload();
    serialize_response(res, !head_, out_);
    expire_after(server_.options.read_timeout);
    net::async_write(socket_, net::buffer(out_),
                     [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                       if (self->failed(ec)) return self->close();
                       if (!keep_alive) return self->unread_ ? self->linger() : self->close();
                       self->wait_for_request();
                     });
  }

  Executor executor() { return socket_.get_executor(); }

  // On the connection's thread, in the handler: hands the socket over; this session ends.
  tcp::socket release() {
    release_body();
    expire_never();
    return std::move(socket_);
  }

 private:
  void wait_for_request() {
    if (server_.stopping_) return close();
    head_ = false;
    parser_.emplace();
    parser_->body_limit(server_.options.max_body_bytes);
    parser_->header_limit(server_.options.max_header_bytes);
    if (buffer_.size() > 0) return read_header();  // a pipelined request is waiting
    // Between requests only the idle timeout applies; the read timeout starts with the
    // first byte, so a client that dribbles its headers cannot hold the connection.
    idle_ = true;
    expire_after(server_.options.idle_timeout);
    socket_.async_read_some(buffer_.prepare(server_.options.first_read_bytes),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->idle_ = false;
                              if (self->failed(ec)) {
                                if (ec == beast::error::timeout && self->server_.hooks.timeout)
                                  self->server_.hooks.timeout("idle");
                                return self->close();
                              }
                              self->buffer_.commit(n);
                              self->read_header();
                            });
  }

  void read_header() {
    expire_after(server_.options.read_timeout);
    http::async_read_header(socket_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (self->failed(ec)) return self->on_read_error(ec);
                              self->on_header();
                            });
  }

  void on_header() {
    if (!charge_body()) return refuse_over_budget();
    auto& req = parser_->get();
    if (auto length = parser_->content_length();
        length && *length <= server_.options.max_body_bytes && server_.options.body_padding > 0)
      req.body().reserve(static_cast<std::size_t>(*length) + server_.options.body_padding);
    auto expect = req[http::field::expect];
    if (!parser_->is_done() && beast::iequals(expect, "100-continue")) {
      // curl and others wait for this before sending a body over 1 KiB.
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(socket_, net::buffer(kContinue),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (self->failed(ec)) return self->close();
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  // Counts the body about to be read against the server's budget until it is answered;
  // false if it does not fit.
  bool charge_body() {
    const auto& o = server_.options;
    std::uint64_t need = 0;
    if (auto length = parser_->content_length())
      need = std::min<std::uint64_t>(*length, o.max_body_bytes);
    else if (parser_->chunked())
      need = o.max_body_bytes;
    if (need == 0 || o.max_buffered_bytes == 0) return true;
    if (server_.buffered.fetch_add(need) + need > o.max_buffered_bytes) {
      server_.buffered.fetch_sub(need);
      return false;
    }
    charged_ = need;
    if (server_.hooks.buffered) server_.hooks.buffered(static_cast<std::int64_t>(need));
    return true;
  }

  void release_body() {
    if (charged_ == 0) return;
    server_.buffered.fetch_sub(charged_);
    if (server_.hooks.buffered) server_.hooks.buffered(-static_cast<std::int64_t>(charged_));
    charged_ = 0;
  }

  // Answered before the body is read (and before any 100 Continue); the connection closes,
  // since the unread body would otherwise have to be read and thrown away.
  void refuse_over_budget() {
    if (server_.hooks.over_budget) server_.hooks.over_budget();
    keep_alive_ = false;
    unread_ = true;
    auto res = json_response(503, "unavailable",
                             "too many request bodies are being received at once; retry");
    res.set(http::field::retry_after, "5");
    send(std::move(res));
  }

  void read_body() {
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (self->failed(ec)) return self->on_read_error(ec);
                       self->on_request();
                     });
  }

  void on_read_error(beast::error_code ec) {
    auto& hooks = server_.hooks;
    if (ec == beast::error::timeout) {
      if (hooks.timeout) hooks.timeout("read");
      return close();
    }
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset)
      return close();
    unsigned status = 400;
    std::string_view code = "bad_request";
    if (ec == http::error::body_limit)
      status = 413, code = "payload_too_large";
    else if (ec == http::error::header_limit)
      status = 431, code = "headers_too_large";
    if (hooks.protocol_error) hooks.protocol_error(status, code);
    keep_alive_ = false;  // the rest of the stream cannot be trusted
    unread_ = true;
    send(json_response(status, code, ec.message()));
  }

  void on_request() {
    expire_never();  // the handler's time is its own (the ingress's ack deadline)
    keep_alive_ = parser_->get().keep_alive();
    head_ = parser_->get().method() == http::verb::head;
    server_.handler(parser_->release(), Responder(shared_from_this()), socket_.get_executor());
  }

  // The answer is out, and the client may still be sending what was not read: half-close,
  // then read and throw away until it closes too (or linger_timeout), so that closing does
  // not reset the connection under the answer.
  void linger() {
    beast::error_code ignored;
    socket_.shutdown(Socket::shutdown_send, ignored);
    lingering_ = true;
    if (server_.stopping_) return close();
    expire_after(server_.options.linger_timeout);
    discard();
  }

  void discard() {
    buffer_.clear();
    socket_.async_read_some(buffer_.prepare(kDiscardBytes),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (self->failed(ec))
                                return self->close();  // closed, reset, timed out, stopped
                              self->discard();
                            });
  }

  void close() {
    expire_never();
    beast::error_code ignored;
    socket_.shutdown(Socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  // The deadline of what the connection waits for now; the sweeper enforces it.
  void expire_after(std::chrono::milliseconds timeout) {
    deadline_ = Clock::now() + timeout;
    timed_out_ = false;
  }
  void expire_never() { deadline_ = Clock::time_point::max(); }
  // Whether an operation failed; one the sweeper cut off fails as a timeout (even one
  // that completed just before the cut: its deadline had passed all the same).
  bool failed(beast::error_code& ec) {
    if (timed_out_) ec = beast::error::timeout;
    return static_cast<bool>(ec);
  }

  Socket socket_;
  std::shared_ptr<HttpServer::State> state_;
  HttpServer::State& server_;
  Sweeper& sweeper_;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool timed_out_ = false;  // the sweeper cut off what the connection waited for
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string out_;  // the answer being written; keeps its capacity between requests
  bool keep_alive_ = true;
  bool head_ = false;  // the request being answered is a HEAD
  bool idle_ = false;
  bool unread_ = false;     // answered before the request was read whole: linger, then close
  bool lingering_ = false;  // throwing away what the client still sends
  static constexpr std::size_t kDiscardBytes = 16 * 1024;
  std::uint64_t charged_ = 0;  // this request's share of server_.buffered
};

void Sweeper::watch(std::weak_ptr<Session> session) {
  sessions_.push_back(std::move(session));
  if (!armed_) arm();
}

void Sweeper::arm() {
  armed_ = true;
  timer_.expires_after(tick_);
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    self->armed_ = false;
    if (!ec) self->sweep();
  });
}

void Sweeper::sweep() {
  const auto now = Clock::now();
  for (std::size_t i = 0; i < sessions_.size();) {
    if (auto session = sessions_[i].lock()) {
      session->check_deadline(now);
      ++i;
    } else {
      sessions_[i] = std::move(sessions_.back());
      sessions_.pop_back();
    }
  }
  if (!sessions_.empty()) arm();  // idle when there is nothing to watch
}

Responder::Responder(std::shared_ptr<Session> session) : state_(std::make_shared<State>()) {
  state_->session = std::move(session);
}

bool Responder::operator()(HttpResponse response) const {
  if (state_->done.exchange(true)) return false;
  // Only the first caller gets here, so the session pointer is moved out exactly once;
  // the connection no longer waits on anyone who still holds a copy of this Responder.
  auto session = std::move(state_->session);
  auto ex = session->executor();
  net::dispatch(ex, [session = std::move(session), res = std::move(response)]() mutable {
    session->send(std::move(res));
  });
  return true;
}

std::optional<tcp::socket> Responder::detach() const {
  if (state_->done.exchange(true)) return std::nullopt;
  auto session = std::move(state_->session);
  return session->release();
}

HttpServer::HttpServer(IoPool& pool, HttpServerOptions options, RequestHandler handler,
                       HttpServerHooks hooks)
    : pool_(pool),
      state_(std::make_shared<State>()),
      acceptor_(pool.first()),
      accept_pause_(pool.first()) {
  state_->options = options;
  state_->handler = std::move(handler);
  state_->hooks = std::move(hooks);
  for (std::size_t i = 0; i < pool.size(); ++i)
    state_->sweepers.push_back(std::make_shared<Sweeper>(pool.at(i), sweep_tick(options)));
}

HttpServer::~HttpServer() = default;

Result<std::uint16_t> HttpServer::listen(const std::string& host, std::uint16_t port) {
  beast::error_code ec;
  auto address = net::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) return fail("invalid listen address " + host + ": " + ec.message());
  tcp::endpoint ep{address, port};
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return fail("cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  auto bound = acceptor_.local_endpoint().port();
  accept();
  return bound;
}

void HttpServer::accept() {
  auto& io = pool_.next();
  acceptor_.async_accept(io, [this, &io](beast::error_code ec, Socket s) {
    if (ec == net::error::operation_aborted || state_->stopping_) return;
    if (!ec) {
      if (state_->connections() >= state_->options.max_connections) {
        if (state_->hooks.connection_rejected) state_->hooks.connection_rejected();
        beast::error_code ignored;
        s.close(ignored);
      } else {
        s.set_option(tcp::no_delay(true), ec);
        // Not make_shared: the sweeper's weak_ptr would keep the whole session's memory (its
        // parser and buffers' inline parts) until its next tick; this way only the control
        // block waits.
        std::shared_ptr<Session>(new Session(std::move(s), state_, state_->sweeper_of(io)))
            ->start();
      }
    } else if (ec != net::error::connection_aborted) {  // aborted: the client left first
      return pause_accepting(ec);
    }
    accept();
  });
}

void HttpServer::pause_accepting(const beast::error_code& ec) {
  if (state_->hooks.accept_failed) state_->hooks.accept_failed();
  // One line for the first failure, then one every 10 s at most, with the count since.
  ++accept_failures_;
  const auto now = std::chrono::steady_clock::now();
  if (now - accept_logged_ >= std::chrono::seconds(10)) {
    log::warn("accept failed; new connections wait in the backlog",
              {{"error", ec.message()},
               {"failures", accept_failures_},
               {"pause_ms", static_cast<std::int64_t>(state_->options.accept_pause.count())}});
    accept_logged_ = now;
    accept_failures_ = 0;
  }
  accept_pause_.expires_after(state_->options.accept_pause);
  accept_pause_.async_wait([this](beast::error_code wait_ec) {
    if (wait_ec || state_->stopping_) return;
    accept();
  });
}

void HttpServer::stop() {
  if (state_->stopping_.exchange(true)) return;
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    accept_pause_.cancel();
    acceptor_.close(ignored);
  });
  // Copy the live sessions out first: the last reference to a session may be one of
  // these copies, and its destructor takes state_->mu.
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(state_->mu);
    for (auto& [ptr, weak] : state_->sessions)
      if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) net::post(s->executor(), [s] { s->on_stop(); });
}

bool HttpServer::wait_closed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mu);
  return state_->closed.wait_for(lock, timeout, [this] { return state_->sessions.empty(); });
}

std::size_t HttpServer::connections() const {
  return state_->connections();
}

std::uint64_t HttpServer::buffered_bytes() const {
  return state_->buffered;
}

void HttpServer::State::on_session_open(Session* s, std::weak_ptr<Session> w) {
  {
    std::lock_guard lock(mu);
    sessions.emplace(s, std::move(w));
  }
  if (hooks.connections) hooks.connections(+1);
  if (stopping_) net::post(s->executor(), [self = s->shared_from_this()] { self->on_stop(); });
}

void HttpServer::State::on_session_close(Session* s) {
  std::size_t n;
  {
    std::lock_guard lock(mu);
    sessions.erase(s);
    n = sessions.size();
  }
  if (hooks.connections) hooks.connections(-1);
  if (n == 0) closed.notify_all();
}

}  // namespace shopstream
