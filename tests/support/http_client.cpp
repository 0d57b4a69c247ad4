#include "tests/support/http_client.hpp"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "ingress/hmac.hpp"

namespace shopstream::test {
namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

HttpClient::HttpClient(std::uint16_t port, std::chrono::milliseconds timeout)
    : port_(port), timeout_(timeout) {}
HttpClient::~HttpClient() = default;

bool HttpClient::connect(std::string& error) {
  socket_ = std::make_unique<tcp::socket>(ioc_);
  boost::system::error_code ec;
  socket_->connect({net::ip::make_address("127.0.0.1"), port_}, ec);
  if (ec) {
    error = ec.message();
    socket_.reset();
    return false;
  }
  timeval tv{static_cast<time_t>(timeout_.count() / 1000),
             static_cast<suseconds_t>((timeout_.count() % 1000) * 1000)};
  setsockopt(socket_->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(socket_->native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return true;
}

HttpResult HttpClient::request(const std::string& method, const std::string& target,
                               const Headers& headers, const std::string& body) {
  HttpResult out;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool fresh = !socket_;
    if (fresh && !connect(out.error)) return out;
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    boost::system::error_code ec;
    http::write(*socket_, req, ec);
    boost::beast::flat_buffer buf;
    http::response<http::string_body> res;
    if (!ec) http::read(*socket_, buf, res, ec);
    if (ec) {
      socket_.reset();
      out.error = ec.message();
      // A keep-alive connection the server closed meanwhile: retry once on a new one.
      if (!fresh && (ec == http::error::end_of_stream || ec == net::error::connection_reset ||
                     ec == net::error::broken_pipe))
        continue;
      return out;
    }
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(f.value());
    }
    out.error.clear();
    if (!res.keep_alive()) socket_.reset();
    return out;
  }
  return out;
}

Headers shopify_headers(const std::string& secret, const std::string& topic,
                        const std::string& shop, const std::string& webhook_id,
                        const std::string& body) {
  return {{"Content-Type", "application/json"},
          {"User-Agent", "Shopify-Captain-Hook"},
          {"X-Shopify-Topic", topic},
          {"X-Shopify-Shop-Domain", shop},
          {"X-Shopify-Webhook-Id", webhook_id},
          {"X-Shopify-Event-Id", "ev-" + webhook_id},
          {"X-Shopify-Triggered-At", "2026-11-20T21:15:03.123Z"},
          {"X-Shopify-API-Version", "2026-10"},
          {"X-Shopify-Hmac-Sha256", ingress::sign(secret, body)}};
}

}  // namespace shopstream::test
