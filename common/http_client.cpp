#include "common/http_client.hpp"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <charconv>

namespace shopstream {
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

Result<BaseUrl> parse_base_url(std::string_view url) {
  BaseUrl out;
  if (url.rfind("https://", 0) == 0) {
    out.tls = true;
    url.remove_prefix(8);
  } else if (url.rfind("http://", 0) == 0) {
    url.remove_prefix(7);
  } else {
    return fail("URL must start with http:// or https://");
  }
  auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  if (slash != std::string_view::npos) out.path = std::string(url.substr(slash));
  while (!out.path.empty() && out.path.back() == '/') out.path.pop_back();
  out.port = out.tls ? 443 : 80;
  auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    auto digits = authority.substr(colon + 1);
    unsigned port = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || p != digits.data() + digits.size() || port == 0 || port > 65535)
      return fail("URL has a malformed port");
    out.port = static_cast<std::uint16_t>(port);
    authority = authority.substr(0, colon);
  }
  if (authority.size() > 1 && authority.front() == '[' && authority.back() == ']')
    authority = authority.substr(1, authority.size() - 2);
  if (authority.empty()) return fail("URL has no host");
  out.host = std::string(authority);
  return out;
}

struct HttpClient::Connection {
  net::io_context ioc;
  ssl::context tls_context{ssl::context::tls_client};
  std::unique_ptr<tcp::socket> plain;
  std::unique_ptr<ssl::stream<tcp::socket>> secure;
};

namespace {

void set_timeouts(int fd, std::chrono::milliseconds timeout) {
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

template <typename Stream>
Result<HttpReply> exchange(Stream& stream, const http::request<http::string_body>& req,
                           bool& keep_alive) {
  boost::system::error_code ec;
  http::write(stream, req, ec);
  boost::beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  if (!ec) http::read(stream, buf, parser, ec);
  if (ec) return fail(ec.message(), true);
  auto& res = parser.get();
  HttpReply out;
  out.status = res.result_int();
  out.body = std::move(res.body());
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  keep_alive = res.keep_alive();
  return out;
}

}  // namespace

HttpClient::HttpClient(BaseUrl base, std::chrono::milliseconds timeout)
    : base_(std::move(base)), timeout_(timeout) {}
HttpClient::~HttpClient() = default;

Result<HttpReply> HttpClient::request(std::string_view method, std::string_view path,
                                      const HeaderList& headers, std::string_view body) {
  http::request<http::string_body> req{http::string_to_verb(method), base_.path + std::string(path),
                                       11};
  req.set(http::field::host, base_.host);
  req.set(http::field::user_agent, "shopstream");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = std::string(body);
  req.prepare_payload();

  Result<HttpReply> out = fail("not attempted", true);
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool fresh = !conn_;
    if (fresh) {
      auto c = std::make_unique<Connection>();
      boost::system::error_code ec;
      tcp::resolver resolver(c->ioc);
      auto endpoints = resolver.resolve(base_.host, std::to_string(base_.port), ec);
      if (ec) return fail("cannot resolve " + base_.host + ": " + ec.message(), true);
      if (base_.tls) {
        c->tls_context.set_default_verify_paths();
        c->tls_context.set_verify_mode(ssl::verify_peer);
        c->secure = std::make_unique<ssl::stream<tcp::socket>>(c->ioc, c->tls_context);
        SSL_set_tlsext_host_name(c->secure->native_handle(), base_.host.c_str());
        c->secure->set_verify_callback(ssl::host_name_verification(base_.host));
        net::connect(c->secure->next_layer(), endpoints, ec);
        if (!ec) set_timeouts(c->secure->next_layer().native_handle(), timeout_);
        if (!ec) c->secure->handshake(ssl::stream_base::client, ec);
      } else {
        c->plain = std::make_unique<tcp::socket>(c->ioc);
        net::connect(*c->plain, endpoints, ec);
        if (!ec) set_timeouts(c->plain->native_handle(), timeout_);
      }
      if (ec)
        return fail("cannot connect to " + base_.host + ":" + std::to_string(base_.port) + ": " +
                        ec.message(),
                    true);
      conn_ = std::move(c);
    }
    bool keep_alive = false;
    out = conn_->secure ? exchange(*conn_->secure, req, keep_alive)
                        : exchange(*conn_->plain, req, keep_alive);
    if (!out || !keep_alive) conn_.reset();
    // A keep-alive connection the server closed meanwhile: retry once on a new one.
    if (out || fresh) return out;
  }
  return out;
}

}  // namespace shopstream
