#pragma once
// A Server-Sent Events client for tests: one GET on a raw socket, the answer's status
// line and headers, then events parsed as EventSource would (id, event, data, comments).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/raw_socket.hpp"

namespace shopstream::test {

struct SseEvent {
  std::string id, event, data;
};

class SseClient {
 public:
  // Sends `GET target` with `headers` ("Name: value\r\n" lines) and reads the answer's
  // head: status() is 0 if none came within `timeout`.
  SseClient(std::uint16_t port, const std::string& target, const std::string& headers = {},
            std::chrono::milliseconds timeout = std::chrono::seconds(10));
  int status() const { return status_; }
  const std::string& head() const { return head_; }  // status line and header fields
  // The body of a non-200 answer (read until the server closes).
  std::string error_body(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // The next event, or nullopt after `timeout` (or once the server closed).
  std::optional<SseEvent> next(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // `n` events, or fewer if they did not all come within `timeout`.
  std::vector<SseEvent> take(std::size_t n,
                             std::chrono::milliseconds timeout = std::chrono::seconds(20));
  const std::vector<std::string>& comments() const { return comments_; }
  // The last id received, with or without an event (what EventSource would resume from).
  const std::string& last_id() const { return last_id_; }
  // Waits for a comment containing `text`.
  bool comment_seen(const std::string& text, std::chrono::milliseconds timeout);
  bool closed() const { return socket_.closed(); }
  bool wait_closed(std::chrono::milliseconds timeout) { return socket_.wait_closed(timeout); }
  RawSocket& socket() { return socket_; }

 private:
  // Parses one complete block from buffer_ if there is one; true if it produced an event.
  bool parse_block(std::optional<SseEvent>& out);
  RawSocket socket_;
  std::string buffer_;
  int status_ = 0;
  std::string head_;
  std::vector<std::string> comments_;
  std::string last_id_;
};

}  // namespace shopstream::test
