#include "common/metrics.hpp"

#include <prometheus/text_serializer.h>

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/field.hpp>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "common/http_server.hpp"
#include "common/net_addr.hpp"

namespace shopstream::metrics {

prometheus::Registry& registry() {
  static prometheus::Registry r;
  return r;
}

namespace {
std::mutex g_names_mu;
std::vector<std::string>& names() {
  static std::vector<std::string> n;
  return n;
}
void note(const std::string& name) {
  if (name.rfind("shopstream_", 0) != 0) {
    std::fprintf(stderr, "metric %s does not start with shopstream_\n", name.c_str());
    std::abort();
  }
  std::lock_guard lock(g_names_mu);
  names().push_back(name);
}
}  // namespace

prometheus::Family<prometheus::Counter>& counter(const std::string& name, const std::string& help) {
  note(name);
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry());
}

prometheus::Family<prometheus::Gauge>& gauge(const std::string& name, const std::string& help) {
  note(name);
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry());
}

prometheus::Family<prometheus::Histogram>& histogram(const std::string& name,
                                                     const std::string& help) {
  note(name);
  return prometheus::BuildHistogram().Name(name).Help(help).Register(registry());
}

std::vector<std::string> registered_names() {
  std::lock_guard lock(g_names_mu);
  return names();
}

std::string render() {
  return prometheus::TextSerializer().Serialize(registry().Collect());
}

const std::vector<double>& latency_buckets() {
  static const std::vector<double> b = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05,
                                        0.1,    0.25,  0.5,   1,     2.5,  5,     10};
  return b;
}

struct Endpoint::Impl {
  IoPool pool{1};
  std::unique_ptr<HttpServer> server;
  std::uint16_t port = 0;
  ~Impl() {
    if (server) server->stop();
    pool.halt();
    server.reset();  // the acceptor, before its context
  }
};

Result<std::unique_ptr<Endpoint>> Endpoint::start(const std::string& addr) {
  auto hp = split_host_port(addr);
  if (!hp) return fail("invalid metrics address " + addr);
  auto impl = std::make_unique<Impl>();
  HttpServerOptions opts;
  opts.max_body_bytes = 64 * 1024;
  opts.max_connections = 64;
  impl->server = std::make_unique<HttpServer>(
      impl->pool, opts, [](HttpRequest&& req, Responder respond, const Executor&) {
        std::string_view target(req.target().data(), req.target().size());
        if (target.substr(0, target.find('?')) != "/metrics")
          return void(respond(json_response(404, "not_found", "metrics are at /metrics")));
        HttpResponse res{boost::beast::http::status::ok, 11};
        res.set(boost::beast::http::field::content_type, "text/plain; version=0.0.4");
        res.body() = render();
        respond(std::move(res));
      });
  auto port = impl->server->listen(hp->first, hp->second);
  if (!port) return fail("metrics endpoint: " + port.error().message);
  impl->port = port.value();
  impl->pool.start();
  return std::unique_ptr<Endpoint>(new Endpoint(std::move(impl)));
}

Endpoint::Endpoint(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Endpoint::~Endpoint() = default;
std::uint16_t Endpoint::port() const {
  return impl_->port;
}

}  // namespace shopstream::metrics
