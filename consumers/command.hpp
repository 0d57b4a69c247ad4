#pragma once
// `shopstream project`, and the projector inside `shopstream all`: wiring only.
#include <atomic>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include "common/config.hpp"
#include "common/kafka/producer.hpp"
#include "consumers/projector.hpp"

namespace shopstream::consumers {

// A projector on a thread of its own, with its own deadletter producer.
class BackgroundProjector {
 public:
  static Result<std::unique_ptr<BackgroundProjector>> start(const Settings& settings);
  ~BackgroundProjector();  // stops (the current batch finishes or is left uncommitted), joins

 private:
  BackgroundProjector() = default;
  std::unique_ptr<kafka::Producer> deadletters_;
  std::unique_ptr<Projector> projector_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Runs until SIGTERM or SIGINT (blocked by the caller); returns the exit code.
int run_project(const Settings& settings);
const std::vector<std::string_view>& project_option_names();

}  // namespace shopstream::consumers
