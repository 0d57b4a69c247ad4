#pragma once
// The local spool (`--spool-dir`): while Kafka is unreachable (or stalled: reachable but
// acknowledging nothing, see Producer::stalled), webhooks are appended to files here and made
// durable (fdatasync) before their 200, so the ingress keeps accepting through an outage longer
// than Shopify's retries. Once Kafka is reachable again, the spool is published oldest file first,
// and each file is deleted when all its records are durable in Kafka. At least once: a file whose
// publishing failed or was cut short is published again whole later. Files: DIR/segment-<20
// digits>.spool, in ingress/spool_format's framing.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/kafka/producer.hpp"
#include "common/result.hpp"

namespace shopstream::ingress {

class Spool {
 public:
  struct Options {
    std::string dir;
    std::uint64_t max_bytes = 1ull << 30;  // appends beyond it fail
    // A file is closed once this large. Publishing holds one file's records about three
    // times over (the file, the records, the producer's queue): ~50 MB at 16 MiB.
    std::uint64_t segment_bytes = 16ull << 20;
  };
  // Runs on the spool's writer thread once the record is on disk, or with why not.
  using Done = std::function<void(std::optional<Error>)>;

  // Creates the directory if missing; files left by an earlier run are kept for draining.
  // Fails if another process (or Spool) has the directory open.
  static Result<std::unique_ptr<Spool>> open(const Options& options);
  // Finishes the queued appends, then stops draining.
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  void append(kafka::Record record, Done done);
  // Publishes the spool to `producer` whenever it is reachable, on a thread of its own.
  // Call once; call stop_draining() before `producer` goes.
  void drain_to(kafka::Producer& producer);
  void stop_draining();
  std::uint64_t bytes() const { return bytes_; }  // on disk, not yet published

 private:
  explicit Spool(Options options);
  struct Item {
    kafka::Record record;
    Done done;
  };
  void write_loop();
  void write_batch(std::vector<Item>& batch);
  std::optional<Error> write_durably(const std::string& bytes);  // holds file_mu_
  void close_segment();                                          // holds file_mu_
  void drain_loop(kafka::Producer& producer);
  bool publish(const std::string& path, kafka::Producer& producer);
  bool wait_draining(std::chrono::milliseconds timeout);  // false once stopping
  void add_bytes(std::int64_t delta);                     // and the gauge

  Options options_;
  int lock_fd_ = -1;  // holds an exclusive flock on DIR/lock while this spool is open
  std::atomic<std::uint64_t> bytes_{0};

  std::mutex mu_;  // the append queue
  std::condition_variable queued_;
  std::vector<Item> queue_;
  bool stopping_ = false;
  std::thread writer_;

  std::mutex file_mu_;  // the segment being written and the closed ones
  int fd_ = -1;
  std::string current_;
  std::uint64_t current_size_ = 0;
  std::uint64_t next_seq_ = 1;
  std::deque<std::string> closed_;  // oldest first

  std::mutex drain_mu_;
  std::condition_variable drain_cv_;
  bool drain_stop_ = false;
  std::thread drainer_;
};

}  // namespace shopstream::ingress
