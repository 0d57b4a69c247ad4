#include "common/net_addr.hpp"

#include "common/units.hpp"

namespace shopstream {

std::optional<std::pair<std::string, std::uint16_t>> split_host_port(std::string_view addr) {
  auto colon = addr.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto host = addr.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  auto port = parse_int(addr.substr(colon + 1));
  if (host.empty() || !port || *port < 0 || *port > 65535) return std::nullopt;
  return std::pair{std::string(host), static_cast<std::uint16_t>(*port)};
}

std::string url_for(const std::string& addr, std::uint16_t port, std::string_view path) {
  auto hp = split_host_port(addr);
  std::string host = hp ? hp->first : "127.0.0.1";
  if (host == "0.0.0.0" || host == "::") host = "127.0.0.1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port) + std::string(path);
}

}  // namespace shopstream
