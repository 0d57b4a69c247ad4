#pragma once
// The SSE hub: one group-less Kafka reader per server that reads every partition of the
// four streamed topics from the end, serialises each record once (with the cursor of the
// position after it) and hands batches to one Shard per io_context, which fans them out
// to that thread's subscribers by shop. Any number of servers can run side by side.
// With nobody subscribed for `idle_pause`, the hub stops reading (an idle server costs
// Kafka no fetches); the next subscriber waits until it reads again from the ends.
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/io_pool.hpp"
#include "common/kafka/reader.hpp"
#include "consumers/sse/cursor.hpp"
#include "consumers/sse/subscriber.hpp"

namespace shopstream::consumers::sse {

// A record's frame, built on first use: records of shops nobody follows are never
// parsed nor serialised, and cost the reader no more than their Kafka message. Thread-safe;
// every shard asks with the same position (the one after the record), so whichever asks
// first builds the frame all of them send.
class LazyFrame {
 public:
  explicit LazyFrame(std::shared_ptr<rd_kafka_message_t> message) : message_(std::move(message)) {}
  const Frame& get(const Position& after);

 private:
  std::once_flag once_;
  std::shared_ptr<rd_kafka_message_t> message_;  // released once the frame is built
  Frame frame_;
};

struct Record {
  std::string shop;
  std::uint8_t stream = 0;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::shared_ptr<LazyFrame> frame;
};

struct Batch {
  // The records hold the reader's messages, and librdkafka's destroy waits for every
  // message of its handle: the reader lives until the last batch goes, wherever that is
  // (an io_context halted with batches still queued destroys them after the hub).
  std::shared_ptr<const void> reader;  // first: destroyed after the records
  std::vector<Record> records;
  Position end;  // the position after the last record
};

class Hub;

// The subscribers of one io_context. Used only from that context's thread.
class Shard {
 public:
  Shard(boost::asio::io_context& io, Position start, Hub& hub)
      : io_(io), hub_(hub), position_(std::move(start)) {}
  boost::asio::io_context& io() { return io_; }
  // Every record before this has been fanned out here; every later one will be.
  const Position& position() const { return position_; }
  void add(const std::shared_ptr<Subscriber>& s);
  void remove(Subscriber* s);
  void on_batch(const Batch& batch);
  void jump(const Position& to) { position_ = to; }  // the hub reads on from `to`
  void broadcast(const Frame& frame);                // heartbeats
  void close_all();
  std::size_t size() const { return count_; }

 private:
  boost::asio::io_context& io_;
  Hub& hub_;
  Position position_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Subscriber>>> by_shop_;
  std::size_t count_ = 0;
};

struct HubOptions {
  kafka::ReaderOptions reader;
  std::string topic_prefix = "shopify.";
  std::chrono::milliseconds heartbeat{15'000};
  // Nobody subscribed for this long: stop reading until someone does. Zero: never.
  std::chrono::milliseconds idle_pause{10'000};
  // How long a new subscriber waits for a paused hub that cannot read again (Kafka
  // unreachable) before it is refused.
  std::chrono::milliseconds join_patience{5'000};
};

class Hub {
 public:
  // Reads partition counts and end offsets, then starts reading on a thread of its own.
  static Result<std::unique_ptr<Hub>> start(const HubOptions& options, IoPool& pool);
  ~Hub();  // stops reading; call close_subscribers() first for a clean goodbye

  Shard& shard_for(boost::asio::io_context& io);
  // Call on `io`'s thread for each new subscriber: `joined` runs there with the shard to
  // add it to, at once when the hub is reading, or once it reads again after a pause
  // (every shard then stands at the partitions' ends). If a paused hub still cannot read
  // after `join_patience`, `refused` runs there instead. Neither runs after
  // close_subscribers(). The subscriber counts as one until its Shard::remove, or refusal.
  void join(boost::asio::io_context& io, std::function<void(Shard&)> joined,
            std::function<void()> refused);
  const std::vector<std::string>& topics() const { return topics_; }  // by stream index
  const std::vector<int>& partition_counts() const { return partitions_; }
  // Records read from Kafka and handed to the shards, since start.
  std::uint64_t records_read() const { return records_read_.load(); }
  // Whether the reader got through to Kafka recently.
  bool healthy() const { return healthy_.load(); }
  // Closes every subscriber, each on its own thread; later joins are refused.
  void close_subscribers();

 private:
  friend class Shard;
  using Clock = std::chrono::steady_clock;
  struct Joiner {
    boost::asio::io_context* io;
    std::function<void(Shard&)> joined;
    std::function<void()> refused;
    Clock::time_point since;
  };
  Hub() = default;
  void run();
  void leave();  // a subscriber left its shard
  // The next offset of every partition, by stream.
  Result<Position> read_ends(std::chrono::milliseconds timeout);
  std::optional<Error> assign_at(const Position& position);
  bool pause_if_idle();
  void serve_paused();    // returns reading again, or stopping
  void refuse_overdue();  // joiners who waited join_patience for reads that did not resume
  bool run_on_shards(const std::function<void(Shard&)>& task);  // waits; false if stopping
  std::shared_ptr<kafka::Reader> reader_;  // shared with the batches (see Batch)
  std::atomic<std::uint64_t> records_read_{0};
  HubOptions options_;
  std::vector<std::string> topics_;
  std::vector<int> partitions_;
  std::unordered_map<std::string, std::uint8_t> stream_of_topic_;
  std::vector<std::unique_ptr<Shard>> shards_;
  Position position_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> healthy_{true};
  std::mutex mu_;  // guards the members below
  std::condition_variable wake_;
  bool paused_ = false;
  bool closing_ = false;
  std::size_t members_ = 0;  // subscribers joined, or waiting to
  Clock::time_point idle_since_ = Clock::now();
  std::vector<Joiner> joiners_;  // waiting for the hub to read again
  std::thread thread_;
};

}  // namespace shopstream::consumers::sse
