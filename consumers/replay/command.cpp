#include "consumers/replay/command.hpp"

#include <unistd.h>

#include <cstdio>
#include <thread>

#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/net_addr.hpp"
#include "common/progress.hpp"
#include "common/routing.hpp"
#include "common/signals.hpp"
#include "common/startup.hpp"
#include "consumers/replay/replay.hpp"
#include "schemas/migrations.hpp"

namespace shopstream::consumers::replay {
namespace {

// The flags that make sense together; nullopt when they do.
std::optional<std::string> conflict(const Settings& s) {
  if (s.kafka_brokers.empty()) return "SHOPSTREAM_KAFKA_BROKERS is required";
  if (s.rebuild) {
    if (!s.replay_topics.empty()) return "--rebuild reads the four event topics: drop --topic";
    if (!s.republish_to.empty()) return "--rebuild re-projects: drop --republish-to";
    if (s.since || s.from_offset || s.partition)
      return "--rebuild reads from the oldest retained record: drop --since, --from-offset "
             "and --partition";
  } else if (s.replay_topics.empty()) {
    return "name the topics to read with --topic (or use --rebuild)";
  }
  if (s.republish_to.empty() && !s.dry_run && s.database_url.empty())
    return "re-projecting needs SHOPSTREAM_DATABASE_URL (or --republish-to, or --dry-run)";
  if (s.from_offset && s.until_offset && *s.until_offset <= *s.from_offset)
    return "--until-offset must be above --from-offset";
  if (s.since && s.until && *s.until <= *s.since) return "--until must be after --since";
  return std::nullopt;
}

Options options_from(const Settings& s) {
  Options o;
  o.brokers = s.kafka_brokers;
  o.kafka_properties = s.kafka_properties;
  if (s.rebuild) {
    for (auto st : {routing::Stream::kOrders, routing::Stream::kProducts,
                    routing::Stream::kCustomers, routing::Stream::kCompliance})
      o.topics.push_back(routing::topic_name(s.topic_prefix, st));
  } else {
    for (const auto& t : s.replay_topics) o.topics.push_back(resolve_topic(s.topic_prefix, t));
  }
  o.partition = s.partition;
  o.offsets.from_offset = s.from_offset;
  o.offsets.until_offset = s.until_offset;
  o.since_ms = s.since;
  o.until_ms = s.until;
  o.shop = s.shop;
  o.republish_to =
      s.republish_to == "origin"
          ? s.republish_to
          : (s.republish_to.empty() ? "" : resolve_topic(s.topic_prefix, s.republish_to));
  o.action =
      s.dry_run ? Action::kCount : (o.republish_to.empty() ? Action::kProject : Action::kRepublish);
  o.database_url = s.database_url;
  return o;
}

std::string human_summary(const Summary& s, const Options& o, bool dry_run) {
  std::string out = "replay " + std::string(s.stopped ? "stopped" : "done") + ": read " +
                    std::to_string(s.read) + " of " + std::to_string(s.total) + " records, " +
                    std::to_string(s.matched) + " matched";
  if (dry_run) return out + " (dry run: nothing written)";
  if (o.action == Action::kProject) {
    for (const auto& [k, n] : s.outcomes) out += ", " + std::to_string(n) + " " + k;
  } else {
    out += ", " + std::to_string(s.republished) + " republished";
    if (s.failed) out += ", " + std::to_string(s.failed) + " FAILED";
    if (s.no_origin) out += ", " + std::to_string(s.no_origin) + " without an origin topic";
  }
  return out + " in " + std::to_string(static_cast<long>(s.seconds + 0.5)) + " s";
}

}  // namespace

const std::vector<std::string_view>& replay_option_names() {
  static const std::vector<std::string_view> names = {
      "kafka-brokers", "kafka-properties", "topic-prefix",  "database-url",
      "topic",         "partition",        "since",         "until",
      "from-offset",   "until-offset",     "shop",          "republish-to",
      "rebuild",       "dry-run",          "serve-metrics", "log-level"};
  return names;
}

int run_replay(const Settings& settings) {
  if (auto why = conflict(settings)) return startup_failure(*why);
  auto o = options_from(settings);
  if (o.republish_to != "origin" && !o.republish_to.empty())
    for (const auto& t : o.topics)
      if (t == o.republish_to)
        return startup_failure("--republish-to " + t + " is a topic being read");
  if (o.action == Action::kProject && !schemas::ensure_schema(settings.database_url)) return 1;

  std::unique_ptr<metrics::Endpoint> endpoint;
  if (!settings.replay_metrics_addr.empty()) {
    auto started = metrics::Endpoint::start(settings.replay_metrics_addr);
    if (!started) return startup_failure(started.error().message);
    endpoint = std::move(started.value());
    log::info(
        "replay metrics",
        {{"metrics_url", url_for(settings.replay_metrics_addr, endpoint->port(), "/metrics")}});
  }

  // Static: the detached thread that sets it may outlive this function.
  static std::atomic<bool> stop{false};
  std::thread([] {
    auto sig = wait_for_shutdown_signal();
    log::info("stopping after the current batch", {{"signal", sig}});
    stop = true;
  }).detach();
  o.stop = &stop;
  Progress progress("replay progress", isatty(STDERR_FILENO));
  o.progress = [&progress](std::uint64_t read, std::uint64_t total, std::uint64_t matched) {
    progress.report(progress_line(read, total, matched, progress.seconds()),
                    {{"read", read}, {"records", total}, {"matched", matched}});
  };
  auto summary = run(o);
  progress.clear();
  if (!summary) {
    log::error("replay failed", {{"error", summary.error().message}});
    return 1;
  }
  const auto& s = summary.value();
  log::info("replay summary", {{"summary", log::Json{summary_json(s)}}});
  std::printf("%s\n", human_summary(s, o, settings.dry_run).c_str());
  return s.stopped || s.failed ? 1 : 0;
}

}  // namespace shopstream::consumers::replay
