#pragma once
// What a replay exports on the process registry (served by `shopstream replay
// --serve-metrics` while it runs): whether one runs, its range, how far it has read and
// what it did. One Reporter a run turns the run's summary, as it grows, into counter
// increments; its end counts the run by result.
#include <cstdint>
#include <map>
#include <string>

#include "consumers/replay/replay.hpp"

namespace shopstream::consumers::replay {

class MetricsReporter {
 public:
  MetricsReporter();   // running: 1
  ~MetricsReporter();  // running: 0; the run counted as failed unless finish() said otherwise
  MetricsReporter(const MetricsReporter&) = delete;
  MetricsReporter& operator=(const MetricsReporter&) = delete;

  static void register_families();  // before any run (deploy/'s dashboard test lists them)
  void observe(const Summary& s);   // every count up to the summary's
  void finish(const Summary& s, bool failed);

 private:
  std::uint64_t read_ = 0, matched_ = 0, republished_ = 0, failed_ = 0, no_origin_ = 0;
  std::map<std::string, std::uint64_t> outcomes_;
  std::string result_ = "failed";
};

}  // namespace shopstream::consumers::replay
