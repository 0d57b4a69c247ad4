#pragma once
// One SSE connection: a socket and a bounded queue of shared, pre-serialised frames.
// Lives on one io_context and is touched only from its thread. A subscriber that falls
// more than `max_buffer` bytes behind is disconnected (counted); nobody else waits.
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "consumers/sse/cursor.hpp"

namespace shopstream::consumers::sse {

class Shard;
using Frame = std::shared_ptr<const std::string>;

// A live record as the hub hands it to the shards.
struct Item {
  Frame frame;
  std::string shop;
  std::uint8_t stream = 0;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};

class Subscriber : public std::enable_shared_from_this<Subscriber> {
 public:
  Subscriber(boost::asio::ip::tcp::socket socket, Shard& shard, std::string shop,
             unsigned stream_mask, std::size_t max_buffer);
  ~Subscriber();

  // All on the subscriber's thread.
  void start(Frame preamble, bool catching_up);
  // Instead of start(): writes `answer` (a whole HTTP response), then closes.
  void refuse(Frame answer);
  bool wants(std::uint8_t stream) const { return (stream_mask_ >> stream) & 1u; }
  const std::string& shop() const { return shop_; }
  unsigned stream_mask() const { return stream_mask_; }
  void deliver(const Item& item);
  void send(Frame frame);  // heartbeats and notices
  // Catch-up: `frames` are written (never dropped: the reader waits for `drained`,
  // which also runs if the connection closes).
  void deliver_catch_up(std::vector<Frame> frames, std::function<void()> drained);
  // Catch-up is over: live items held meanwhile go out. `floor` is the client's cursor
  // when it was ahead of this server (records before it are skipped, cursors kept above).
  void finish_catch_up(std::optional<Position> floor);
  void close();
  bool closed() const { return closed_.load(); }  // any thread

 private:
  void enqueue(Frame frame, bool droppable);
  void deliver_live(const Item& item);
  void write_more();
  void wait_for_close();

  boost::asio::ip::tcp::socket socket_;
  Shard& shard_;
  std::string shop_;
  unsigned stream_mask_;
  std::size_t max_buffer_;
  std::vector<Frame> queue_;
  std::vector<Frame> writing_;
  std::size_t queued_bytes_ = 0;
  std::vector<Item> held_;  // live items that arrived during catch-up
  std::size_t held_bytes_ = 0;
  std::unique_ptr<Position> floor_;
  std::function<void()> on_drained_;
  bool catching_up_ = false;
  bool close_once_written_ = false;  // refused
  std::atomic<bool> closed_{false};
};

}  // namespace shopstream::consumers::sse
