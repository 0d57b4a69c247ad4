#include "common/config.hpp"

#include <algorithm>
#include <cstdlib>

#include "common/net_addr.hpp"
#include "common/time.hpp"
#include "common/units.hpp"

namespace shopstream {
namespace {

using Apply = std::function<std::optional<std::string>(Settings&, std::string_view)>;

Apply set_string(std::string Settings::*field) {
  return [field](Settings& s, std::string_view v) -> std::optional<std::string> {
    s.*field = std::string(v);
    return std::nullopt;
  };
}

Apply set_nonempty(std::string Settings::*field) {
  return [field](Settings& s, std::string_view v) -> std::optional<std::string> {
    if (v.empty()) return "must not be empty";
    s.*field = std::string(v);
    return std::nullopt;
  };
}

Apply set_duration(std::chrono::milliseconds Settings::*field, bool allow_zero = false) {
  return [field, allow_zero](Settings& s, std::string_view v) -> std::optional<std::string> {
    auto d = parse_duration(v);
    if (!d || (!allow_zero && d->count() == 0))
      return "expected a duration such as 500ms, 4s, 10m or 24h";
    s.*field = *d;
    return std::nullopt;
  };
}

template <typename T>
Apply set_number(T Settings::*field, std::int64_t min, std::int64_t max) {
  return [field, min, max](Settings& s, std::string_view v) -> std::optional<std::string> {
    auto n = parse_int(v);
    if (!n || *n < min || *n > max)
      return "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max);
    s.*field = static_cast<T>(*n);
    return std::nullopt;
  };
}

Apply set_bytes(std::uint64_t Settings::*field, std::uint64_t max = UINT64_MAX,
                std::string_view why = "") {
  return [field, max, why](Settings& s, std::string_view v) -> std::optional<std::string> {
    auto n = parse_bytes(v);
    if (!n || *n == 0) return "expected a size such as 2MiB, 512KiB or 1048576";
    if (*n > max) return std::string(why);
    s.*field = *n;
    return std::nullopt;
  };
}

Apply set_switch(bool Settings::*field) {
  return [field](Settings& s, std::string_view) -> std::optional<std::string> {
    s.*field = true;
    return std::nullopt;
  };
}

// An RFC 3339 time, or a duration before now.
Apply set_time(std::optional<std::int64_t> Settings::*field) {
  return [field](Settings& s, std::string_view v) -> std::optional<std::string> {
    if (auto t = time::parse_rfc3339_ms(v)) {
      s.*field = *t;
      return std::nullopt;
    }
    auto d = parse_duration(v);
    if (!d) return "expected an RFC 3339 time or a duration such as 48h";
    s.*field =
        std::chrono::duration_cast<std::chrono::milliseconds>(time::now().time_since_epoch() - *d)
            .count();
    return std::nullopt;
  };
}

Apply set_offset(std::optional<std::int64_t> Settings::*field) {
  return [field](Settings& s, std::string_view v) -> std::optional<std::string> {
    auto n = parse_int(v);
    if (!n || *n < 0) return "expected an offset (a whole number from 0)";
    s.*field = *n;
    return std::nullopt;
  };
}

Apply set_addr(std::string Settings::*field) {
  return [field](Settings& s, std::string_view v) -> std::optional<std::string> {
    if (!split_host_port(v)) return "expected HOST:PORT with a port 0-65535";
    s.*field = std::string(v);
    return std::nullopt;
  };
}

std::vector<std::string> split_list(std::string_view v) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= v.size()) {
    auto comma = v.find(',', start);
    if (comma == std::string_view::npos) comma = v.size();
    auto item = v.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    start = comma + 1;
  }
  return out;
}

}  // namespace

const std::vector<Option>& all_options() {
  static const std::vector<Option> options = {
      {"kafka-brokers", "SHOPSTREAM_KAFKA_BROKERS", "HOST:PORT,...",
       "Kafka bootstrap servers. Unset in `all`: an embedded, non-durable mock cluster.", "", false,
       set_string(&Settings::kafka_brokers)},
      {"kafka-properties", "SHOPSTREAM_KAFKA_PROPERTIES", "K=V,...",
       "Extra librdkafka properties (TLS, SASL, tuning), applied last.", "", true,
       set_string(&Settings::kafka_properties)},
      {"topic-prefix", "SHOPSTREAM_TOPIC_PREFIX", "PREFIX", "Prefix of every Kafka topic.",
       "shopify.", false, set_string(&Settings::topic_prefix)},
      {"topic-partitions", "SHOPSTREAM_TOPIC_PARTITIONS", "N",
       "Partitions of topics created at start-up.", "6", false,
       set_number(&Settings::topic_partitions, 1, 10'000)},
      {"topic-replication", "SHOPSTREAM_TOPIC_REPLICATION", "N",
       "Replication factor of topics created at start-up (-1: broker default).", "-1", false,
       set_number(&Settings::topic_replication, -1, 100)},
      {"database-url", "SHOPSTREAM_DATABASE_URL", "URL",
       "Postgres connection string or URI (libpq).", "", true, set_string(&Settings::database_url)},
      {"api-secret", "SHOPIFY_API_SECRET", "SECRET,...",
       "App client secret(s) that sign webhooks; current first, old ones after it.", "", true,
       [](Settings& s, std::string_view v) -> std::optional<std::string> {
         s.api_secrets = split_list(v);
         if (s.api_secrets.empty()) return "must name at least one secret";
         return std::nullopt;
       }},
      {"shop-secrets-file", "SHOPSTREAM_SHOP_SECRETS_FILE", "PATH",
       "File of per-shop webhook secrets, one `shop.myshopify.com=secret` a line; read again on "
       "SIGHUP.",
       "", false, set_string(&Settings::shop_secrets_file)},
      {"ingress-addr", "SHOPSTREAM_INGRESS_ADDR", "HOST:PORT", "Webhook listener address.",
       "0.0.0.0:8080", false, set_addr(&Settings::ingress_addr)},
      {"dashboard-addr", "SHOPSTREAM_DASHBOARD_ADDR", "HOST:PORT",
       "Dashboard, SSE and read API address.", "0.0.0.0:8081", false,
       set_addr(&Settings::dashboard_addr)},
      {"metrics-addr", "SHOPSTREAM_METRICS_ADDR", "HOST:PORT", "Prometheus /metrics address.",
       "0.0.0.0:9464", false, set_addr(&Settings::metrics_addr)},
      {"ack-deadline", "SHOPSTREAM_ACK_DEADLINE", "DURATION",
       "Longest wait for Kafka's durable ack before answering 503 (Shopify gives up at 5s).", "4s",
       false, set_duration(&Settings::ack_deadline)},
      {"read-timeout", "SHOPSTREAM_READ_TIMEOUT", "DURATION",
       "Longest time to receive one whole request once its first byte arrived.", "10s", false,
       set_duration(&Settings::read_timeout)},
      {"idle-timeout", "SHOPSTREAM_IDLE_TIMEOUT", "DURATION",
       "Longest wait for the next request on a keep-alive connection.", "60s", false,
       set_duration(&Settings::idle_timeout)},
      {"shutdown-timeout", "SHOPSTREAM_SHUTDOWN_TIMEOUT", "DURATION",
       "On SIGTERM, longest wait for in-flight requests and the producer flush.", "25s", false,
       set_duration(&Settings::shutdown_timeout)},
      {"dedup-window", "SHOPSTREAM_DEDUP_WINDOW", "DURATION",
       "How long a durable webhook id suppresses re-publishing of its redeliveries.", "15m", false,
       set_duration(&Settings::dedup_window, true)},
      {"dedup-capacity", "SHOPSTREAM_DEDUP_CAPACITY", "N",
       "Most webhook ids remembered for duplicate suppression.", "500000", false,
       set_number(&Settings::dedup_capacity, 0, 100'000'000)},
      {"max-body", "SHOPSTREAM_MAX_BODY", "SIZE", "Largest accepted webhook body (at most 64MiB).",
       "2MiB", false,
       set_bytes(&Settings::max_body_bytes, kMaxBodyLimit,
                 "at most 64MiB: with its headers a record must stay under the 100MiB a Kafka "
                 "broker takes in one request by default")},
      {"max-buffered", "SHOPSTREAM_MAX_BUFFERED", "SIZE",
       "Most bytes of webhook bodies held at once over all connections (each counted at its "
       "declared length until answered); a webhook beyond it is answered 503 before its body "
       "is read. At least --max-body.",
       "256MiB", false, set_bytes(&Settings::max_buffered_bytes)},
      {"spool-dir", "SHOPSTREAM_SPOOL_DIR", "PATH",
       "Local spool: while Kafka is unreachable, or reachable but acknowledging nothing, "
       "webhooks are made durable in files here "
       "(fdatasync) and answered 200, then published once Kafka is back (at least once). "
       "Empty: no spool, such webhooks are answered 503.",
       "", false, set_string(&Settings::spool_dir)},
      {"spool-max", "SHOPSTREAM_SPOOL_MAX", "SIZE",
       "Most bytes the local spool holds; webhooks beyond it are answered 503.", "1GiB", false,
       set_bytes(&Settings::spool_max_bytes)},
      {"max-connections", "SHOPSTREAM_MAX_CONNECTIONS", "N",
       "Most open client connections; more are closed at once.", "10000", false,
       set_number(&Settings::max_connections, 1, 1'000'000)},
      {"threads", "SHOPSTREAM_THREADS", "N", "HTTP worker threads (0: one per core).", "0", false,
       set_number(&Settings::threads, 0, 256)},
      {"sse-heartbeat", "SHOPSTREAM_SSE_HEARTBEAT", "DURATION",
       "Interval of the SSE heartbeat comment (keeps proxies from closing idle streams).", "15s",
       false, set_duration(&Settings::sse_heartbeat)},
      {"sse-idle-pause", "SHOPSTREAM_SSE_IDLE_PAUSE", "DURATION",
       "With no SSE subscriber for this long, stop reading Kafka until one comes (it then "
       "waits for a read of the partitions' ends); 0s: never stop.",
       "10s", false, set_duration(&Settings::sse_idle_pause, true)},
      {"sse-buffer", "SHOPSTREAM_SSE_BUFFER", "SIZE",
       "Most bytes queued for one SSE subscriber (frames are shared, so this bounds lag more "
       "than memory); a slower one is disconnected.",
       "4MiB", false, set_bytes(&Settings::sse_buffer_bytes)},
      {"projector-group", "SHOPSTREAM_PROJECTOR_GROUP", "ID",
       "Kafka consumer group of the projector (offsets are kept per group in Postgres).",
       "shopstream-projector", false, set_nonempty(&Settings::projector_group)},
      {"ready-file", "SHOPSTREAM_READY_FILE", "PATH",
       "Once serving, write the bound addresses there as JSON (for supervisors and tests).", "",
       false, set_string(&Settings::ready_file)},
      {"log-level", "SHOPSTREAM_LOG_LEVEL", "LEVEL", "debug, info, warn or error.", "info", false,
       [](Settings& s, std::string_view v) -> std::optional<std::string> {
         if (v != "debug" && v != "info" && v != "warn" && v != "error")
           return "expected debug, info, warn or error";
         s.log_level = std::string(v);
         return std::nullopt;
       }},
      {"dashboard-secret", "SHOPSTREAM_DASHBOARD_SECRET", "SECRET",
       "Signs per-shop dashboard access tokens.", "", true,
       set_nonempty(&Settings::dashboard_secret)},
      {"shop", "", "SHOP.myshopify.com",
       "token: the shop the token grants access to; reconcile: only this configured shop; replay: "
       "only this shop's records.",
       "", false,
       [](Settings& s, std::string_view v) -> std::optional<std::string> {
         if (v.empty() || v.find_first_of(" \n\r/") != std::string_view::npos)
           return "expected a shop domain such as example.myshopify.com";
         s.shop = std::string(v);
         return std::nullopt;
       }},
      {"ttl", "", "DURATION", "How long the token is valid.", "24h", false,
       set_duration(&Settings::token_ttl)},
      {"shop-domain", "SHOPIFY_SHOP_DOMAIN", "SHOP.myshopify.com",
       "The shop to reconcile (with --access-token); or use --shops-file.", "", false,
       set_nonempty(&Settings::shop_domain)},
      {"access-token", "SHOPIFY_ACCESS_TOKEN", "TOKEN", "Admin API access token of --shop-domain.",
       "", true, set_nonempty(&Settings::access_token)},
      {"shops-file", "SHOPSTREAM_SHOPS_FILE", "PATH",
       "Shops to reconcile, one `shop.myshopify.com=token` a line.", "", false,
       set_string(&Settings::shops_file)},
      {"admin-api-url", "SHOPIFY_ADMIN_API_URL", "URL",
       "Base URL of the Admin API (a proxy or the simulator).", "https://{shop}", false,
       [](Settings& s, std::string_view v) -> std::optional<std::string> {
         if (v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0)
           return "expected an http:// or https:// URL";
         s.admin_api_url = std::string(v);
         return std::nullopt;
       }},
      {"api-version", "SHOPIFY_API_VERSION", "YYYY-MM", "Admin API version.", "2026-10", false,
       [](Settings& s, std::string_view v) -> std::optional<std::string> {
         if (v.size() != 7 || v[4] != '-' || !parse_int(v.substr(0, 4)) || !parse_int(v.substr(5)))
           return "expected a version such as 2026-10";
         s.api_version = std::string(v);
         return std::nullopt;
       }},
      {"reconcile-interval", "SHOPSTREAM_RECONCILE_INTERVAL", "DURATION",
       "Time between reconcile passes (daemon mode).", "10m", false,
       set_duration(&Settings::reconcile_interval)},
      {"reconcile-overlap", "SHOPSTREAM_RECONCILE_OVERLAP", "DURATION",
       "How far before the watermark each pass starts (Shopify's search index lags).", "5m", false,
       set_duration(&Settings::reconcile_overlap, true)},
      {"webhook-url", "SHOPSTREAM_WEBHOOK_URL", "URL",
       "Where Shopify should send webhooks: with it, each pass re-creates missing "
       "subscriptions.",
       "", false, set_string(&Settings::webhook_url)},
      {"once", "", "", "One pass, then exit (non-zero if a shop failed).", "", false,
       set_switch(&Settings::once)},
      {"full", "", "", "Compare everything, ignoring watermarks; also finds deletions.", "", false,
       set_switch(&Settings::full)},
      {"subscriptions", "", "",
       "Only repair webhook subscriptions (needs --webhook-url), then exit.", "", false,
       set_switch(&Settings::subscriptions)},
      {"since", "", "TIME|DURATION",
       "reconcile: start from this RFC 3339 time, or this long ago (48h), instead of the "
       "watermark; replay: the records written at or after it.",
       "", false, set_time(&Settings::since)},
      {"until", "", "TIME|DURATION", "replay: only the records written before this time.", "",
       false, set_time(&Settings::until)},
      {"topic", "", "NAME,...",
       "replay: the topics to read: orders, products, customers, compliance, deadletter (the "
       "prefix is added) or full topic names.",
       "", false,
       [](Settings& s, std::string_view v) -> std::optional<std::string> {
         s.replay_topics = split_list(v);
         if (s.replay_topics.empty()) return "must name at least one topic";
         return std::nullopt;
       }},
      {"partition", "", "N", "replay: only this partition.", "", false,
       [](Settings& s, std::string_view v) -> std::optional<std::string> {
         auto n = parse_int(v);
         if (!n || *n < 0 || *n > 100'000) return "expected a partition number from 0";
         s.partition = static_cast<int>(*n);
         return std::nullopt;
       }},
      {"from-offset", "", "N", "replay: start at this offset in every partition read.", "", false,
       set_offset(&Settings::from_offset)},
      {"until-offset", "", "N", "replay: stop before this offset in every partition read.", "",
       false, set_offset(&Settings::until_offset)},
      {"republish-to", "", "TOPIC|origin",
       "replay: publish the records to this topic instead of re-projecting them; `origin` sends "
       "deadletter records back to the topic they came from.",
       "", false, set_nonempty(&Settings::republish_to)},
      {"rebuild", "", "",
       "replay: re-project every retained record of the four event topics into the read models.",
       "", false, set_switch(&Settings::rebuild)},
      {"dry-run", "", "", "replay: read and count only; write nothing.", "", false,
       set_switch(&Settings::dry_run)},
      {"serve-metrics", "SHOPSTREAM_REPLAY_METRICS_ADDR", "HOST:PORT",
       "replay: while it runs, serve its progress at http://HOST:PORT/metrics (off by default, "
       "so that a replay never takes the metrics port of a running shopstream).",
       "", false, set_addr(&Settings::replay_metrics_addr)},
      {"help", "", "", "Show this help.", "", false,
       [](Settings& s, std::string_view) -> std::optional<std::string> {
         s.help = true;
         return std::nullopt;
       }},
  };
  return options;
}

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

Result<Settings> load_settings(const std::vector<std::string_view>& accepted,
                               const std::vector<std::string>& args, const EnvLookup& env) {
  Settings s;
  auto find = [&](std::string_view flag) -> const Option* {
    if (std::find(accepted.begin(), accepted.end(), flag) == accepted.end() && flag != "help")
      return nullptr;
    for (const auto& o : all_options())
      if (o.flag == flag) return &o;
    return nullptr;
  };
  for (auto name : accepted) {
    const Option* o = find(name);
    if (!o || o->env.empty()) continue;
    auto v = env(o->env);
    if (!v) continue;
    if (auto err = o->apply(s, *v)) return fail("invalid " + std::string(o->env) + ": " + *err);
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg.substr(0, 2) != "--") return fail("unexpected argument '" + std::string(arg) + "'");
    arg.remove_prefix(2);
    std::optional<std::string_view> inline_value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    const Option* o = find(arg);
    if (!o) return fail("unknown flag --" + std::string(arg) + " (see --help)");
    std::string_view value;
    if (o->value.empty()) {
      if (inline_value) return fail("flag --" + std::string(arg) + " takes no value");
    } else if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return fail("flag --" + std::string(arg) + " needs a value (" + std::string(o->value) + ")");
    }
    if (auto err = o->apply(s, value)) return fail("invalid --" + std::string(arg) + ": " + *err);
  }
  return s;
}

std::string options_help(const std::vector<std::string_view>& accepted) {
  std::string out = "Options (flags win over environment variables):\n";
  for (const auto& o : all_options()) {
    if (o.flag != "help" && std::find(accepted.begin(), accepted.end(), o.flag) == accepted.end())
      continue;
    std::string left = "  --" + std::string(o.flag);
    if (!o.value.empty()) left += " " + std::string(o.value);
    out += left;
    out += std::string(left.size() < 34 ? 34 - left.size() : 1, ' ');
    out += o.help;
    if (!o.default_text.empty()) out += " [default: " + std::string(o.default_text) + "]";
    if (!o.env.empty()) out += "\n" + std::string(34, ' ') + "env " + std::string(o.env);
    out += "\n";
  }
  return out;
}

}  // namespace shopstream
