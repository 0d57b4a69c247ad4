#pragma once
// The one config loader: every setting is a flag and an environment variable; flags
// win. Each command accepts the subset of options it uses; an unknown flag or a
// malformed value is an Error with one clear line. Pure (the environment is passed in).
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace shopstream {

// The largest --max-body: with its key and headers (kafka::kMaxRecordBytes) a record stays
// under the 100 MiB a Kafka broker takes in one request by default
// (socket.request.max.bytes).
inline constexpr std::uint64_t kMaxBodyLimit = 64ull * 1024 * 1024;

struct Settings {
  // Kafka
  std::string kafka_brokers;     // empty: embedded mock cluster (only `all`)
  std::string kafka_properties;  // extra librdkafka properties, "k=v,k=v"
  std::string topic_prefix = "shopify.";
  int topic_partitions = 6;
  int topic_replication = -1;  // -1: the broker's default.replication.factor
  // Postgres
  std::string database_url;
  // Ingress
  std::vector<std::string> api_secrets;  // current first
  std::string shop_secrets_file;
  std::string ingress_addr = "0.0.0.0:8080";
  std::string dashboard_addr = "0.0.0.0:8081";
  std::string metrics_addr = "0.0.0.0:9464";
  std::chrono::milliseconds ack_deadline{4000};
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds shutdown_timeout{25'000};
  std::chrono::milliseconds dedup_window{15 * 60'000};
  std::uint64_t max_body_bytes = 2 * 1024 * 1024;
  std::uint64_t max_buffered_bytes = 256 * 1024 * 1024;  // request bodies held at once
  std::string spool_dir;                                 // "": no local spool
  std::uint64_t spool_max_bytes = 1ull << 30;
  std::uint64_t max_connections = 10'000;
  std::uint64_t dedup_capacity = 500'000;
  int threads = 0;  // 0: one per core
  // SSE
  std::chrono::milliseconds sse_heartbeat{15'000};
  std::chrono::milliseconds sse_idle_pause{10'000};
  std::uint64_t sse_buffer_bytes = 4 * 1024 * 1024;
  // `token`, `reconcile` and `replay`: one shop
  std::string shop;
  std::chrono::milliseconds token_ttl{24 * 3'600'000};
  // Projector
  std::string projector_group = "shopstream-projector";
  // Reconciler
  std::string shop_domain, access_token, shops_file, admin_api_url, webhook_url;
  std::string api_version = "2026-10";
  std::chrono::milliseconds reconcile_interval{10 * 60'000};
  std::chrono::milliseconds reconcile_overlap{5 * 60'000};
  std::optional<std::int64_t> since;  // epoch milliseconds (reconcile, replay)
  // Replay
  std::vector<std::string> replay_topics;  // as given: short stream names or full topic names
  std::optional<std::int64_t> until;       // epoch milliseconds
  std::optional<std::int64_t> from_offset, until_offset;
  std::optional<int> partition;
  std::string republish_to;  // "": re-project into the read models
  bool rebuild = false, dry_run = false;
  std::string replay_metrics_addr;  // "": a replay serves no /metrics
  bool once = false, full = false, subscriptions = false;
  // Process
  std::string ready_file;
  std::string log_level = "info";
  std::string dashboard_secret;
  bool help = false;
  bool version = false;
};

struct Option {
  std::string_view flag;   // without the leading "--"
  std::string_view env;    // empty: flag only
  std::string_view value;  // placeholder for --help; empty: a switch
  std::string_view help;
  std::string_view default_text;
  bool secret = false;
  // Returns an error message for a malformed value.
  std::function<std::optional<std::string>(Settings&, std::string_view)> apply;
};

// All options any command knows.
const std::vector<Option>& all_options();

using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;
EnvLookup process_env();

// Parses `args` (after the command name) for a command that accepts `accepted`
// (flag names). Environment first, flags override.
Result<Settings> load_settings(const std::vector<std::string_view>& accepted,
                               const std::vector<std::string>& args, const EnvLookup& env);

// The --help text for a command.
std::string options_help(const std::vector<std::string_view>& accepted);

}  // namespace shopstream
