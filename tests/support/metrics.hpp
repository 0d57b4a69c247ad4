#pragma once
// The value a metric of this process has now, read from the registry /metrics serves.
#include <map>
#include <string>

#include "common/metrics.hpp"

namespace shopstream::test {

// The counter's or gauge's value of the first series of `name` that carries every label
// in `labels`; 0 if there is none yet.
inline double metric_value(const std::string& name,
                           const std::map<std::string, std::string>& labels = {}) {
  for (const auto& family : metrics::registry().Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      std::size_t matched = 0;
      for (const auto& l : m.label) {
        auto it = labels.find(l.name);
        if (it != labels.end() && it->second == l.value) ++matched;
      }
      if (matched == labels.size())
        return family.type == prometheus::MetricType::Gauge ? m.gauge.value : m.counter.value;
    }
  }
  return 0;
}

// The value of one series in Prometheus text (another process's /metrics): `series` is
// the name with its labels as written, e.g. `x_total{result="ok"}`. 0 if absent.
inline double scraped_value(const std::string& text, const std::string& series) {
  for (std::size_t at = text.find(series + ' '); at != std::string::npos;
       at = text.find(series + ' ', at + 1))
    if (at == 0 || text[at - 1] == '\n') return std::stod(text.substr(at + series.size() + 1));
  return 0;
}

}  // namespace shopstream::test
