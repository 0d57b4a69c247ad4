#pragma once
// A blocking HTTP/1.1 client for tests: one keep-alive connection to 127.0.0.1:port,
// every socket operation bounded by a timeout.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace shopstream::test {

using Headers = std::map<std::string, std::string>;

struct HttpResult {
  int status = 0;  // 0: no answer (see error)
  std::string body;
  Headers headers;  // names lower-cased
  std::string error;
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpClient();
  HttpResult request(const std::string& method, const std::string& target, const Headers& headers,
                     const std::string& body = {});
  HttpResult post(const std::string& target, const Headers& headers, const std::string& body) {
    return request("POST", target, headers, body);
  }

 private:
  bool connect(std::string& error);
  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
  boost::asio::io_context ioc_;
  std::unique_ptr<boost::asio::ip::tcp::socket> socket_;
};

// The headers Shopify sends with a webhook, signed with `secret`.
Headers shopify_headers(const std::string& secret, const std::string& topic,
                        const std::string& shop, const std::string& webhook_id,
                        const std::string& body);

}  // namespace shopstream::test
