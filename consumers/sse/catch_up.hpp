#pragma once
// Resuming from a cursor: a worker thread with its own group-less reader replays, for
// each resuming subscriber, its shop's records between the client's cursor and the
// position at which the subscriber joined the live fan-out, then lets the live records
// through. Every request queued at the time is served in one pass over the union of
// their ranges, so a reconnect storm after a restart reads the log once, not once per
// client. Flow-controlled: a client's next chunk waits until its last one was written.
#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/kafka/reader.hpp"
#include "consumers/sse/cursor.hpp"
#include "consumers/sse/subscriber.hpp"

namespace shopstream::consumers::sse {

struct CatchUpRequest {
  std::shared_ptr<Subscriber> subscriber;
  boost::asio::any_io_executor executor;  // the subscriber's thread
  Position from;                          // the client's cursor
  Position joined;                        // where the subscriber joined the live fan-out
};

class CatchUp {
 public:
  CatchUp(kafka::ReaderOptions options, std::vector<std::string> topics,
          std::vector<int> partition_counts);
  ~CatchUp();  // abandons queued requests (their subscribers are closed by the server)
  void submit(CatchUpRequest request);

 private:
  struct Job;
  void run();
  void serve(kafka::Reader& reader, std::vector<CatchUpRequest> requests);
  bool flush(Job& job);

  kafka::ReaderOptions options_;
  std::vector<std::string> topics_;
  std::vector<int> partitions_;
  std::vector<std::size_t> first_slot_;  // index of each stream's partition 0 among all
  std::size_t slots_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<CatchUpRequest> queue_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace shopstream::consumers::sse
