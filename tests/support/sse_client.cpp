#include "tests/support/sse_client.hpp"

namespace shopstream::test {
using Clock = std::chrono::steady_clock;

SseClient::SseClient(std::uint16_t port, const std::string& target, const std::string& headers,
                     std::chrono::milliseconds timeout)
    : socket_(port) {
  socket_.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n" +
               headers + "\r\n");
  auto deadline = Clock::now() + timeout;
  while (buffer_.find("\r\n\r\n") == std::string::npos && !socket_.closed() &&
         Clock::now() < deadline)
    buffer_ += socket_.receive(std::chrono::milliseconds(100));
  auto end = buffer_.find("\r\n\r\n");
  if (end == std::string::npos || buffer_.compare(0, 9, "HTTP/1.1 ") != 0) return;
  status_ = std::stoi(buffer_.substr(9, 3));
  head_ = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
}

std::string SseClient::error_body(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!socket_.closed() && Clock::now() < deadline) {
    buffer_ += socket_.receive(std::chrono::milliseconds(100));
    if (buffer_.find('}') != std::string::npos) break;  // JSON answers end with one
  }
  return buffer_;
}

bool SseClient::parse_block(std::optional<SseEvent>& out) {
  auto end = buffer_.find("\n\n");
  if (end == std::string::npos) return false;
  std::string block = buffer_.substr(0, end);
  buffer_.erase(0, end + 2);
  SseEvent e;
  bool has_data = false;
  std::size_t start = 0;
  while (start <= block.size()) {
    auto nl = block.find('\n', start);
    if (nl == std::string::npos) nl = block.size();
    std::string line = block.substr(start, nl - start);
    start = nl + 1;
    if (line.empty()) continue;
    if (line[0] == ':') {
      comments_.push_back(line.substr(line.size() > 1 && line[1] == ' ' ? 2 : 1));
      continue;
    }
    auto colon = line.find(':');
    std::string field = line.substr(0, colon);
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    if (field == "id") e.id = last_id_ = value;
    if (field == "event") e.event = value;
    if (field == "data") {
      if (has_data) e.data += "\n";
      e.data += value;
      has_data = true;
    }
  }
  if (!has_data) return false;
  out = std::move(e);
  return true;
}

std::optional<SseEvent> SseClient::next(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    std::optional<SseEvent> e;
    while (buffer_.find("\n\n") != std::string::npos)
      if (parse_block(e)) return e;
    if (socket_.closed()) return std::nullopt;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    buffer_ += socket_.receive(std::min(left, std::chrono::milliseconds(100)));
  }
}

std::vector<SseEvent> SseClient::take(std::size_t n, std::chrono::milliseconds timeout) {
  std::vector<SseEvent> out;
  auto deadline = Clock::now() + timeout;
  while (out.size() < n) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    auto e = next(left);
    if (!e) break;
    out.push_back(std::move(*e));
  }
  return out;
}

bool SseClient::comment_seen(const std::string& text, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    for (const auto& c : comments_)
      if (c.find(text) != std::string::npos) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || socket_.closed()) return false;
    buffer_ += socket_.receive(std::min(left, std::chrono::milliseconds(100)));
    std::optional<SseEvent> e;
    while (buffer_.find("\n\n") != std::string::npos) parse_block(e);
  }
}

}  // namespace shopstream::test
