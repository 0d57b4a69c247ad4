#include "common/pg_workers.hpp"

#include "common/log.hpp"

namespace shopstream {

PgWorkers::PgWorkers(std::string database_url, int threads) : url_(std::move(database_url)) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

PgWorkers::~PgWorkers() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void PgWorkers::submit(Job job) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void PgWorkers::run() {
  std::unique_ptr<pqxx::connection> conn;
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    if (!conn || !conn->is_open()) {
      try {
        conn = std::make_unique<pqxx::connection>(url_);
      } catch (const std::exception& e) {
        log::warn("postgres connection failed", {{"error", e.what()}});
        conn.reset();
      }
    }
    try {
      job(conn.get());
    } catch (const pqxx::broken_connection& e) {
      log::warn("postgres connection lost", {{"error", e.what()}});
      conn.reset();
    } catch (const std::exception& e) {
      log::error("postgres job failed", {{"error", e.what()}});
    }
  }
}

}  // namespace shopstream
