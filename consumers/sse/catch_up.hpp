#pragma once
// Resuming from a cursor: a worker thread with its own group-less reader replays, for one
// subscriber at a time, the shop's records between the client's cursor and the position
// at which the subscriber joined the live fan-out, then lets the live records through.
// Flow-controlled: it waits for each chunk to be written before reading more.
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
  void run();
  void serve(kafka::Reader& reader, CatchUpRequest& request);

  kafka::ReaderOptions options_;
  std::vector<std::string> topics_;
  std::vector<int> partitions_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<CatchUpRequest> queue_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace shopstream::consumers::sse
