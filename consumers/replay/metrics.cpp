#include "consumers/replay/metrics.hpp"

#include "common/metrics.hpp"

namespace shopstream::consumers::replay {
namespace {

struct Families {
  prometheus::Gauge& running =
      metrics::gauge("shopstream_replay_running", "1 while a replay runs in this process").Add({});
  prometheus::Gauge& in_range =
      metrics::gauge("shopstream_replay_records_in_range",
                     "Records in the range the current (or last) replay reads")
          .Add({});
  prometheus::Counter& read =
      metrics::counter("shopstream_replay_records_read_total", "Records replay has read").Add({});
  prometheus::Counter& matched =
      metrics::counter("shopstream_replay_records_matched_total",
                       "Records replay has read that match its filters (shop, time)")
          .Add({});
  prometheus::Family<prometheus::Counter>& outcomes = metrics::counter(
      "shopstream_replay_outcomes_total",
      "Records re-projected by replay, by outcome (applied, stale, duplicate, deadlettered, ...)");
  prometheus::Family<prometheus::Counter>& republished = metrics::counter(
      "shopstream_replay_republished_total",
      "Records replay republished, by result (ok, failed, no_origin: a deadletter without origin)");
  prometheus::Family<prometheus::Counter>& runs = metrics::counter(
      "shopstream_replay_runs_total", "Replays ended, by result (done, stopped, failed)");
};

Families& families() {
  static Families f;
  return f;
}

// Adds what `now` has beyond `seen` to the counter, and remembers it.
void catch_up(prometheus::Counter& c, std::uint64_t& seen, std::uint64_t now) {
  if (now > seen) c.Increment(static_cast<double>(now - seen));
  seen = now;
}

}  // namespace

void MetricsReporter::register_families() {
  families();
}

MetricsReporter::MetricsReporter() {
  families().running.Set(1);
  families().in_range.Set(0);
}

MetricsReporter::~MetricsReporter() {
  auto& f = families();
  f.running.Set(0);
  f.runs.Add({{"result", result_}}).Increment();
}

void MetricsReporter::observe(const Summary& s) {
  auto& f = families();
  f.in_range.Set(static_cast<double>(s.total));
  catch_up(f.read, read_, s.read);
  catch_up(f.matched, matched_, s.matched);
  for (const auto& [outcome, n] : s.outcomes)
    catch_up(f.outcomes.Add({{"outcome", outcome}}), outcomes_[outcome], n);
  catch_up(f.republished.Add({{"result", "ok"}}), republished_, s.republished);
  catch_up(f.republished.Add({{"result", "failed"}}), failed_, s.failed);
  catch_up(f.republished.Add({{"result", "no_origin"}}), no_origin_, s.no_origin);
}

void MetricsReporter::finish(const Summary& s, bool failed) {
  observe(s);
  // As the exit status says: a record that failed to publish fails the run.
  result_ = failed || s.failed ? "failed" : (s.stopped ? "stopped" : "done");
}

}  // namespace shopstream::consumers::replay
