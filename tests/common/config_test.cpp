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
