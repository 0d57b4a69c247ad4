#pragma once
// Progress of long work (a replay, a reconcile pass), for whoever watches it: on a
// terminal, one line redrawn in place on stderr; elsewhere (systemd, Kubernetes, CI,
// a pipe) an info log line every `interval`, so that a long run is never silent until
// its summary. Not thread-safe: one per piece of work.
#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>

#include "common/log.hpp"

namespace shopstream {

class Progress {
 public:
  using Clock = std::chrono::steady_clock;
  // `message`: the log line's "msg"; `terminal`: whether stderr is one (isatty).
  Progress(std::string message, bool terminal,
           std::chrono::milliseconds interval = std::chrono::seconds(10),
           Clock::time_point start = Clock::now());
  ~Progress() { clear(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // `line` is drawn on a terminal; `fields` are logged when a log line is due. Call it as
  // often as progress changes (it does the pacing of log lines).
  void report(std::string_view line, std::initializer_list<log::Field> fields);
  // Erases the terminal line (before a summary is printed).
  void clear();
  // Whether a log line is due at `now`: not on a terminal, and `interval` since the start
  // or the last one. Counts it as written.
  bool log_due(Clock::time_point now);
  double seconds() const;  // since the start

 private:
  std::string message_;
  bool terminal_;
  std::chrono::milliseconds interval_;
  Clock::time_point start_, last_log_;
  bool drawn_ = false;
};

}  // namespace shopstream
