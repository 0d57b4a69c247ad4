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

}  // namespace shopstream::test
