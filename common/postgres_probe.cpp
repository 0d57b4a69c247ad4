#include "common/postgres_probe.hpp"

#include <pqxx/pqxx>

#include "common/log.hpp"

namespace shopstream {

std::optional<std::string> ping_postgres(const std::string& url) {
  try {
    pqxx::connection c(url);
    pqxx::nontransaction tx(c);
    tx.exec("SELECT 1");
    return std::nullopt;
  } catch (const std::exception& e) {
    std::string msg = e.what();
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return msg;
  }
}

Result<std::unique_ptr<PostgresProbe>> PostgresProbe::start(std::string url,
                                                            std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::optional<std::string> err;
  while ((err = ping_postgres(url)) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  if (err) return fail("postgres unreachable: " + *err);
  return std::unique_ptr<PostgresProbe>(new PostgresProbe(std::move(url)));
}

PostgresProbe::PostgresProbe(std::string url) : url_(std::move(url)), up_(true) {
  thread_ = std::thread([this] {
    while (!stop_) {
      for (int i = 0; i < 20 && !stop_; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (stop_) break;
      auto err = ping_postgres(url_);
      bool ok = !err;
      if (ok != up_.exchange(ok)) {
        if (ok)
          log::info("postgres reachable");
        else
          log::warn("postgres unreachable", {{"error", *err}});
      }
    }
  });
}

PostgresProbe::~PostgresProbe() {
  stop_ = true;
  thread_.join();
}

}  // namespace shopstream
