#include "consumers/sse/server.hpp"

#include <boost/beast/http/field.hpp>

#include <chrono>

#include "common/log.hpp"
#include "common/net_addr.hpp"
#include "common/postgres_probe.hpp"
#include "common/routing.hpp"
#include "common/url.hpp"
#include "consumers/api/read_api.hpp"
#include "consumers/dashboard/page.hpp"
#include "consumers/sse/catch_up.hpp"
#include "consumers/sse/frame.hpp"
#include "consumers/sse/hub.hpp"
#include "consumers/sse/metrics.hpp"
#include "consumers/sse/token.hpp"

namespace shopstream::consumers::sse {
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kApiConnections = 2;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Bit per stream (index as in Position); nullopt for an unknown name.
std::optional<unsigned> parse_topics(const std::optional<std::string>& list) {
  if (!list || list->empty()) return 0xFu;
  unsigned mask = 0;
  std::string_view rest = *list;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto name = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (name.empty()) continue;
    bool known = false;
    for (unsigned s = 0; s < kStreams; ++s)
      if (routing::stream_name(static_cast<routing::Stream>(s)) == name)
        mask |= 1u << s, known = true;
    if (!known) return std::nullopt;
  }
  return mask ? std::optional(mask) : std::nullopt;
}

HttpResponse html_response(unsigned status, std::string body) {
  HttpResponse res{static_cast<http::status>(status), 11};
  res.set(http::field::content_type, "text/html; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  // The page loads nothing from elsewhere; say so to the browser too.
  res.set("Content-Security-Policy",
          "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
          "img-src 'self' data:; connect-src 'self'");
  res.set("Referrer-Policy", "no-referrer");  // the URL carries the token
  res.body() = std::move(body);
  return res;
}

// For a subscriber who waited for a paused hub that could not read Kafka again.
Frame kafka_unreachable_answer() {
  auto res = json_response(503, "kafka_unreachable", "the server cannot read Kafka; retry later");
  res.set(http::field::retry_after, "5");
  res.keep_alive(false);
  res.prepare_payload();
  std::string wire;
  serialize_response(res, true, wire);
  return std::make_shared<const std::string>(std::move(wire));
}

}  // namespace

struct SseServer::Impl {
  Settings settings;
  IoPool pool;
  std::unique_ptr<Hub> hub;
  std::unique_ptr<CatchUp> catch_up;
  std::unique_ptr<api::ReadApi> read_api;
  std::unique_ptr<PostgresProbe> pg;
  std::unique_ptr<HttpServer> http;
  SseMetrics& metrics = SseMetrics::get();

  explicit Impl(const Settings& s) : settings(s), pool(static_cast<unsigned>(s.threads)) {}

  // Records the route's metrics, then answers.
  struct Answer {
    Responder responder;
    std::string route;
    Clock::time_point started;
    SseMetrics* metrics;
    void operator()(HttpResponse res) const {
      auto secs = std::chrono::duration<double>(Clock::now() - started).count();
      metrics->request(route, res.result_int(), secs);
      responder(std::move(res));
    }
  };

  // The token's shop, or the 401/403 answer already given.
  std::optional<std::string> authorize(const HttpRequest& req, const Target& target,
                                       std::string_view shop, const Answer& answer) {
    std::string token;
    auto auth = req[http::field::authorization];
    if (auth.size() > 7 && boost::beast::iequals(auth.substr(0, 7), "Bearer "))
      token = std::string(auth.substr(7));
    else if (auto q = target.param("access_token"))
      token = *q;
    if (token.empty()) {
      auto res = json_response(401, "unauthorized",
                               "an access token is required (Authorization: Bearer, or "
                               "access_token); mint one with `shopstream token --shop SHOP`");
      res.set(http::field::www_authenticate, "Bearer");
      answer(std::move(res));
      return std::nullopt;
    }
    auto verdict = verify_token(settings.dashboard_secret, token, unix_now());
    if (auto* problem = std::get_if<TokenProblem>(&verdict)) {
      auto res = json_response(401, "unauthorized", describe(*problem));
      res.set(http::field::www_authenticate, "Bearer error=\"invalid_token\"");
      answer(std::move(res));
      return std::nullopt;
    }
    auto& claims = std::get<TokenClaims>(verdict);
    if (claims.shop != shop) {
      answer(json_response(403, "forbidden", "the access token is for another shop"));
      return std::nullopt;
    }
    return claims.shop;
  }

  void handle(HttpRequest&& req, Responder responder, const Executor& ex) {
    Answer answer{std::move(responder), "other", Clock::now(), &metrics};
    auto target = parse_target(req.target());
    if (!target)
      return answer(json_response(400, "bad_request", "malformed percent escape in URL"));
    const auto& path = target->path;
    if (path == "/healthz") return answer.route = "healthz", answer(json_response(200, "ok"));
    if (path == "/readyz") {
      answer.route = "readyz";
      if (!hub->healthy()) return answer(json_response(503, "kafka_unreachable"));
      if (pg && !pg->reachable()) return answer(json_response(503, "postgres_unreachable"));
      return answer(json_response(200, "ready"));
    }
    if (req.method() != http::verb::get) {
      auto res = json_response(405, "method_not_allowed", "only GET is served here");
      res.set(http::field::allow, "GET");
      return answer(std::move(res));
    }
    if (path == "/events") return events(req, *target, std::move(answer), ex);
    if (path == "/" || path == "/index.html") {
      answer.route = "page";
      auto shop = target->param("shop").value_or("");
      if (shop.empty())
        return answer(
            html_response(400,
                          "<!doctype html><p>Open this page with "
                          "<code>?shop=SHOP.myshopify.com&amp;access_token=TOKEN</code>."));
      if (!authorize(req, *target, shop, answer)) return;
      return answer(html_response(200, std::string(dashboard::page())));
    }
    constexpr std::string_view kApi = "/api/shops/";
    if (path.starts_with(kApi)) {
      std::string_view rest = std::string_view(path).substr(kApi.size());
      auto slash = rest.find('/');
      if (slash != std::string_view::npos) {
        std::string shop(rest.substr(0, slash));
        std::string resource(rest.substr(slash + 1));
        for (auto r : api::kRoutes) {
          if (r != resource) continue;
          answer.route = "api/" + resource;
          if (!authorize(req, *target, shop, answer)) return;
          if (!read_api)
            return answer(
                json_response(503, "no_database", "this server has no SHOPSTREAM_DATABASE_URL"));
          return read_api->handle(shop, resource, *target, answer);
        }
      }
    }
    answer(json_response(404, "not_found", "no such route"));
  }

  void events(const HttpRequest& req, const Target& target, Answer answer, const Executor& ex) {
    answer.route = "events";
    auto shop = target.param("shop").value_or("");
    if (shop.empty())
      return answer(json_response(400, "missing_shop", "the shop parameter is required"));
    if (!authorize(req, target, shop, answer)) return;
    auto mask = parse_topics(target.param("topics"));
    if (!mask)
      return answer(json_response(400, "bad_topics",
                                  "topics must be a comma-separated list of orders, products, "
                                  "customers, compliance"));
    std::optional<Position> cursor;
    std::string cursor_text(req["Last-Event-ID"]);
    if (cursor_text.empty()) cursor_text = target.param("last_event_id").value_or("");
    if (!cursor_text.empty()) {
      cursor = decode_cursor(cursor_text);
      if (!cursor) {
        metrics.resume("malformed");
        return answer(
            json_response(400, "bad_cursor", "Last-Event-ID is not a cursor this server issued"));
      }
    }
    if (metrics.subscribers.Value() >= static_cast<double>(settings.max_connections)) {
      metrics.rejected.Increment();
      auto res = json_response(503, "too_many_subscribers", "the server is at its subscriber cap");
      res.set(http::field::retry_after, "5");
      return answer(std::move(res));
    }
    auto socket = answer.responder.detach();
    if (!socket) return;
    auto& io = ex.context();
    auto sub = std::make_shared<Subscriber>(std::move(*socket), hub->shard_for(io), shop, *mask,
                                            settings.sse_buffer_bytes);
    auto seconds = [started = answer.started] {
      return std::chrono::duration<double>(Clock::now() - started).count();
    };
    auto refused = [this, sub, seconds] {
      metrics.request("events", 503, seconds());
      static const Frame kUnreachable = kafka_unreachable_answer();
      sub->refuse(kUnreachable);
    };
    hub->join(
        io,
        [this, sub, ex, seconds, cursor = std::move(cursor)](Shard& shard) mutable {
          metrics.request("events", 200, seconds());
          shard.add(sub);
          std::string preamble =
              "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
              "Connection: close\r\nX-Accel-Buffering: no\r\n\r\nretry: 1000\n\n";
          // An id without data sets the client's Last-Event-ID without dispatching an event,
          // so a client that has seen nothing yet still resumes from here after a disconnect.
          if (!cursor) preamble += "id: " + encode_cursor(shard.position()) + "\n\n";
          sub->start(std::make_shared<const std::string>(std::move(preamble)), cursor.has_value());
          if (cursor) catch_up->submit({sub, ex, std::move(*cursor), shard.position()});
        },
        std::move(refused));
  }
};

Result<std::unique_ptr<SseServer>> SseServer::start(const Settings& s) {
  if (s.dashboard_secret.empty())
    return fail("SHOPSTREAM_DASHBOARD_SECRET is required to check dashboard access tokens");
  auto addr = split_host_port(s.dashboard_addr);
  if (!addr) return fail("invalid dashboard address " + s.dashboard_addr);
  auto impl = std::make_unique<Impl>(s);
  HubOptions ho{.reader = {.brokers = s.kafka_brokers, .extra_properties = s.kafka_properties},
                .topic_prefix = s.topic_prefix,
                .heartbeat = s.sse_heartbeat,
                .idle_pause = s.sse_idle_pause};
  auto hub = Hub::start(ho, impl->pool);
  if (!hub) return hub.error();
  impl->hub = std::move(hub.value());
  impl->catch_up =
      std::make_unique<CatchUp>(ho.reader, impl->hub->topics(), impl->hub->partition_counts());
  if (!s.database_url.empty()) {
    auto probe = PostgresProbe::start(s.database_url, std::chrono::seconds(30));
    if (!probe) return probe.error();
    impl->pg = std::move(probe.value());
    impl->read_api = std::make_unique<api::ReadApi>(s.database_url, kApiConnections);
  }
  HttpServerOptions ho2{.read_timeout = s.read_timeout,
                        .idle_timeout = s.idle_timeout,
                        .max_body_bytes = 64 * 1024,
                        .max_connections = s.max_connections,
                        .first_read_bytes = 1024};  // an SSE GET is a few hundred bytes
  auto* raw = impl.get();
  HttpServerHooks hooks;
  hooks.accept_failed = [] { SseMetrics::get().accept_errors.Increment(); };
  impl->http = std::make_unique<HttpServer>(
      impl->pool, ho2,
      [raw](HttpRequest&& req, Responder r, const Executor& ex) {
        raw->handle(std::move(req), std::move(r), ex);
      },
      std::move(hooks));
  auto port = impl->http->listen(addr->first, addr->second);
  if (!port) return port.error();
  impl->pool.start();
  std::unique_ptr<SseServer> server(new SseServer(std::move(impl)));
  server->port_ = port.value();
  return server;
}

SseServer::SseServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

bool SseServer::stop(std::chrono::milliseconds timeout) {
  impl_->http->stop();
  impl_->hub->close_subscribers();
  return impl_->http->wait_closed(timeout);
}

SseServer::~SseServer() {
  if (!impl_) return;
  impl_->http->stop();
  impl_->hub->close_subscribers();
  impl_->catch_up.reset();  // while the pool runs: it may wait on a subscriber's write
  impl_->pool.halt();
  impl_->hub.reset();  // after the pool: handlers on it use the shards
  impl_->http.reset();
  impl_->read_api.reset();
}

}  // namespace shopstream::consumers::sse
