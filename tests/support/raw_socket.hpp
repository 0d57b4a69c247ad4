#pragma once
// A plain TCP connection for tests that misbehave on purpose (slow or stalled clients).
#include <chrono>
#include <cstdint>
#include <string>

namespace shopstream::test {

class RawSocket {
 public:
  explicit RawSocket(std::uint16_t port);
  ~RawSocket();
  bool send(const std::string& bytes);  // false once the peer has closed
  // Reads what arrives within `timeout`. "" and closed() once the peer closed.
  std::string receive(std::chrono::milliseconds timeout);
  bool closed() const { return closed_; }
  // Blocks until the peer closes or `timeout` passes; true if it closed.
  bool wait_closed(std::chrono::milliseconds timeout);
  bool connected() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
  bool closed_ = false;
};

}  // namespace shopstream::test
