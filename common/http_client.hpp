#pragma once
// The one outbound HTTP/1.1 client (the reconciler's Admin API calls, the simulator's
// webhook deliveries): one keep-alive connection to a base URL, http or https (peer
// verified against the system's CA store, SNI set), every socket operation bounded by a
// timeout. Blocking; not thread-safe: one client per thread.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace shopstream {

struct BaseUrl {
  bool tls = false;
  std::string host;
  std::uint16_t port = 0;
  std::string path;  // without a trailing slash; "" for the root
};

// "http(s)://host[:port][/path]". Pure.
Result<BaseUrl> parse_base_url(std::string_view url);

struct HttpReply {
  unsigned status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  HttpClient(BaseUrl base, std::chrono::milliseconds timeout);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `path` is appended to the base URL's path. A connection error is a retryable Error;
  // any HTTP answer, whatever its status, is a reply.
  Result<HttpReply> request(std::string_view method, std::string_view path,
                            const HeaderList& headers, std::string_view body = {});
  const BaseUrl& base() const { return base_; }

 private:
  struct Connection;
  BaseUrl base_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<Connection> conn_;
};

}  // namespace shopstream
