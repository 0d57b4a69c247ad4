#include "common/config.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace shopstream;

namespace {
EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](std::string_view k) -> std::optional<std::string> {
    auto it = vars.find(std::string(k));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}
const std::vector<std::string_view> kAccepted = {"kafka-brokers", "api-secret", "ack-deadline",
                                                 "ingress-addr",  "max-body",   "threads"};
}  // namespace

TEST_CASE("defaults follow the contract") {
  auto s = load_settings(kAccepted, {}, env_of({}));
  REQUIRE(s.ok());
  CHECK(s->topic_prefix == "shopify.");
  CHECK(s->ingress_addr == "0.0.0.0:8080");
  CHECK(s->dashboard_addr == "0.0.0.0:8081");
  CHECK(s->metrics_addr == "0.0.0.0:9464");
  CHECK(s->ack_deadline == std::chrono::milliseconds(4000));
  CHECK(s->max_body_bytes == 2u * 1024 * 1024);
}

TEST_CASE("environment is read and flags win over it") {
  auto env = env_of({{"SHOPSTREAM_KAFKA_BROKERS", "a:9092"}, {"SHOPSTREAM_ACK_DEADLINE", "3s"}});
  auto s = load_settings(kAccepted, {"--ack-deadline", "2s", "--ingress-addr=127.0.0.1:0"}, env);
  REQUIRE(s.ok());
  CHECK(s->kafka_brokers == "a:9092");
  CHECK(s->ack_deadline == std::chrono::milliseconds(2000));
  CHECK(s->ingress_addr == "127.0.0.1:0");
}

TEST_CASE("secret list keeps rotation order and trims spaces") {
  auto s = load_settings(kAccepted, {}, env_of({{"SHOPIFY_API_SECRET", "new, old ,"}}));
  REQUIRE(s.ok());
  REQUIRE(s->api_secrets.size() == 2);
  CHECK(s->api_secrets[0] == "new");
  CHECK(s->api_secrets[1] == "old");
}

TEST_CASE("bad input fails with one clear line") {
  auto unknown = load_settings(kAccepted, {"--bogus"}, env_of({}));
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().message == "unknown flag --bogus (see --help)");

  auto not_accepted = load_settings(kAccepted, {"--dashboard-addr", "x:1"}, env_of({}));
  CHECK_FALSE(not_accepted.ok());

  auto bad_env = load_settings(kAccepted, {}, env_of({{"SHOPSTREAM_ACK_DEADLINE", "soon"}}));
  REQUIRE_FALSE(bad_env.ok());
  CHECK(bad_env.error().message.find("SHOPSTREAM_ACK_DEADLINE") != std::string::npos);

  CHECK_FALSE(load_settings(kAccepted, {"--ingress-addr", "nohost"}, env_of({})).ok());
  CHECK_FALSE(load_settings(kAccepted, {"--ingress-addr", "h:99999"}, env_of({})).ok());
  CHECK_FALSE(load_settings(kAccepted, {"--max-body", "lots"}, env_of({})).ok());
  // Over what a Kafka broker takes in one request by default: no such webhook could be
  // made durable, so the setting is refused rather than every large webhook.
  auto huge = load_settings(kAccepted, {"--max-body", "65MiB"}, env_of({}));
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.error().message.find("at most 64MiB") != std::string::npos);
  CHECK(load_settings(kAccepted, {"--max-body", "64MiB"}, env_of({})).ok());
  CHECK_FALSE(load_settings(kAccepted, {"--threads", "-3"}, env_of({})).ok());
  CHECK_FALSE(load_settings(kAccepted, {"--threads"}, env_of({})).ok());
  CHECK_FALSE(load_settings(kAccepted, {"stray"}, env_of({})).ok());
}

TEST_CASE("help lists each accepted option with its environment variable") {
  auto help = options_help(kAccepted);
  CHECK(help.find("--kafka-brokers") != std::string::npos);
  CHECK(help.find("SHOPSTREAM_KAFKA_BROKERS") != std::string::npos);
  CHECK(help.find("--dashboard-addr") == std::string::npos);
}

TEST_CASE("the reconciler's settings: contract defaults, environment, flags and clear errors") {
  const std::vector<std::string_view> accepted = {
      "shop-domain",       "access-token", "admin-api-url", "api-version", "reconcile-interval",
      "reconcile-overlap", "once",         "full",          "since",       "subscriptions",
      "webhook-url",       "shop"};
  auto d = load_settings(accepted, {}, env_of({}));
  REQUIRE(d.ok());
  CHECK(d->api_version == "2026-10");
  CHECK(d->reconcile_interval == std::chrono::minutes(10));
  CHECK_FALSE(d->since);
  CHECK_FALSE(d->once);

  auto s = load_settings(
      accepted,
      {"--once", "--full", "--since", "2026-11-20T00:00:00-05:00", "--shop", "a.myshopify.com"},
      env_of({{"SHOPIFY_SHOP_DOMAIN", "a.myshopify.com"},
              {"SHOPIFY_ACCESS_TOKEN", "shpat_x"},
              {"SHOPIFY_ADMIN_API_URL", "http://127.0.0.1:9/"},
              {"SHOPIFY_API_VERSION", "2025-01"},
              {"SHOPSTREAM_RECONCILE_INTERVAL", "30s"}}));
  REQUIRE(s.ok());
  CHECK(s->once);
  CHECK(s->full);
  CHECK(s->since == 1'795'150'800'000);  // 2026-11-20T05:00:00Z, in milliseconds
  CHECK(s->shop_domain == "a.myshopify.com");
  CHECK(s->shop == "a.myshopify.com");
  CHECK(s->access_token == "shpat_x");
  CHECK(s->api_version == "2025-01");
  CHECK(s->reconcile_interval == std::chrono::seconds(30));

  auto ago = load_settings(accepted, {"--since", "48h"}, env_of({}));
  REQUIRE(ago.ok());
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  CHECK(*ago->since <= now_ms - 48 * 3'600'000);
  CHECK(*ago->since > now_ms - 48 * 3'600'000 - 60'000);

  auto bad_version = load_settings(accepted, {}, env_of({{"SHOPIFY_API_VERSION", "latest"}}));
  REQUIRE_FALSE(bad_version.ok());
  CHECK(bad_version.error().message.find("SHOPIFY_API_VERSION") != std::string::npos);
  CHECK_FALSE(load_settings(accepted, {"--admin-api-url", "ftp://x"}, env_of({})).ok());
  CHECK_FALSE(load_settings(accepted, {"--since", "yesterday"}, env_of({})).ok());
  CHECK_FALSE(load_settings(accepted, {"--once=yes"}, env_of({})).ok());
}

TEST_CASE("the SSE idle pause: 10s by default, 0s turns it off, nonsense fails") {
  const std::vector<std::string_view> accepted = {"sse-idle-pause"};
  auto defaults = load_settings(accepted, {}, env_of({}));
  REQUIRE(defaults.ok());
  CHECK(defaults->sse_idle_pause == std::chrono::milliseconds(10'000));
  auto off = load_settings(accepted, {}, env_of({{"SHOPSTREAM_SSE_IDLE_PAUSE", "0s"}}));
  REQUIRE(off.ok());
  CHECK(off->sse_idle_pause == std::chrono::milliseconds(0));
  auto flag = load_settings(accepted, {"--sse-idle-pause", "2m"}, env_of({}));
  REQUIRE(flag.ok());
  CHECK(flag->sse_idle_pause == std::chrono::milliseconds(120'000));
  auto bad = load_settings(accepted, {"--sse-idle-pause", "later"}, env_of({}));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("sse-idle-pause") != std::string::npos);
}

TEST_CASE("replay's flags: topics, a range by offsets or time, a shop, what to do") {
  const std::vector<std::string_view> accepted = {
      "topic",        "partition", "since",        "until",   "from-offset",
      "until-offset", "shop",      "republish-to", "rebuild", "dry-run"};
  auto s = load_settings(
      accepted,
      {"--topic", "orders, deadletter", "--partition", "2", "--from-offset", "10", "--until-offset",
       "20", "--since", "2026-11-20T00:00:00Z", "--until", "2026-11-21T00:00:00.250Z", "--shop",
       "a.myshopify.com", "--republish-to", "origin", "--dry-run"},
      env_of({}));
  REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().message));
  CHECK(s->replay_topics == std::vector<std::string>{"orders", "deadletter"});
  CHECK(s->partition == 2);
  CHECK(s->from_offset == 10);
  CHECK(s->until_offset == 20);
  CHECK(s->since == 1'795'132'800'000);
  CHECK(s->until == 1'795'219'200'250);  // Kafka timestamps are milliseconds: so is the range
  CHECK(s->shop == "a.myshopify.com");
  CHECK(s->republish_to == "origin");
  CHECK(s->dry_run);
  CHECK_FALSE(s->rebuild);
  CHECK(s->replay_metrics_addr.empty());  // off unless asked: the metrics port may be taken

  std::vector<std::string_view> with_metrics = accepted;
  with_metrics.push_back("serve-metrics");
  auto served = load_settings(with_metrics, {"--topic", "orders"},
                              env_of({{"SHOPSTREAM_REPLAY_METRICS_ADDR", "127.0.0.1:9470"}}));
  REQUIRE(served.ok());
  CHECK(served->replay_metrics_addr == "127.0.0.1:9470");
  auto flag_wins =
      load_settings(with_metrics, {"--topic", "orders", "--serve-metrics", "127.0.0.1:0"},
                    env_of({{"SHOPSTREAM_REPLAY_METRICS_ADDR", "127.0.0.1:9470"}}));
  REQUIRE(flag_wins.ok());
  CHECK(flag_wins->replay_metrics_addr == "127.0.0.1:0");
  CHECK_FALSE(load_settings(with_metrics, {"--serve-metrics", "9470"}, env_of({})).ok());

  for (const auto& bad : std::vector<std::vector<std::string>>{{"--topic", ","},
                                                               {"--partition", "-1"},
                                                               {"--from-offset", "ten"},
                                                               {"--until-offset", "-5"},
                                                               {"--until", "tomorrow"},
                                                               {"--republish-to", ""},
                                                               {"--rebuild=yes"}}) {
    CAPTURE(bad[0]);
    auto r = load_settings(accepted, bad, env_of({}));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find(bad[0].substr(0, bad[0].find('='))) != std::string::npos);
  }
}
