#pragma once
// A few threads, each with its own Postgres connection, running queued jobs: blocking
// libpqxx calls stay off the network threads. A broken connection is reopened for the
// next job. Thread-safe.
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

namespace shopstream {

class PgWorkers {
 public:
  // A job gets a connection, or nullptr when none could be opened (answer 503).
  // Exceptions a job throws are caught and logged; the job must answer before that.
  using Job = std::function<void(pqxx::connection* connection)>;

  PgWorkers(std::string database_url, int threads);
  ~PgWorkers();  // runs what is queued, then joins
  void submit(Job job);

 private:
  void run();
  std::string url_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace shopstream
