#include "common/progress.hpp"

#include <cstdio>

namespace shopstream {

Progress::Progress(std::string message, bool terminal, std::chrono::milliseconds interval,
                   Clock::time_point start)
    : message_(std::move(message)),
      terminal_(terminal),
      interval_(interval),
      start_(start),
      last_log_(start) {}

bool Progress::log_due(Clock::time_point now) {
  if (terminal_ || now - last_log_ < interval_) return false;
  last_log_ = now;
  return true;
}

double Progress::seconds() const {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

void Progress::report(std::string_view line, std::initializer_list<log::Field> fields) {
  if (terminal_) {
    std::fprintf(stderr, "\r\033[K%.*s", static_cast<int>(line.size()), line.data());
    drawn_ = true;
  } else if (log_due(Clock::now())) {
    log::info(message_, fields);
  }
}

void Progress::clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
}

}  // namespace shopstream
