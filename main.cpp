// shopstream: one binary, one subcommand per component. Wiring only.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.hpp"
#include "common/log.hpp"
#include "common/net_addr.hpp"
#include "common/signals.hpp"
#include "common/startup.hpp"
#include "consumers/command.hpp"
#include "consumers/replay/command.hpp"
#include "consumers/sse/command.hpp"
#include "ingress/command.hpp"
#include "ingress/reconcile/command.hpp"
#include "schemas/migrations.hpp"

namespace {

using namespace shopstream;

constexpr std::string_view kVersion = SHOPSTREAM_VERSION;

struct Command {
  std::string_view name;
  std::string_view summary;
  std::vector<std::string_view> options;
  int (*run)(const Settings&);
  std::string_view examples = {};  // shown after the options by --help
};

std::vector<std::string_view> all_command_options() {
  auto names = ingress::option_names();
  for (auto n :
       {"database-url", "projector-group", "dashboard-addr", "dashboard-secret", "sse-heartbeat",
        "sse-idle-pause", "sse-buffer", "shop-domain", "access-token", "shops-file",
        "admin-api-url", "api-version", "reconcile-interval", "reconcile-overlap", "webhook-url"})
    names.push_back(n);
  return names;
}

// `all`: the projector (with a database), the SSE server, and the reconciler (with a
// database and a shop), once Kafka is ready.
Result<ingress::Others> start_all_others(const Settings& effective) {
  std::shared_ptr<consumers::BackgroundProjector> projector;
  std::shared_ptr<ingress::reconcile::Reconciler> reconciler;
  if (!effective.database_url.empty()) {
    auto started = consumers::BackgroundProjector::start(effective);
    if (!started) return started.error();
    projector = std::move(started.value());
    if (ingress::reconcile::reconcile_configured(effective)) {
      auto r = ingress::reconcile::Reconciler::create(effective, true);
      if (!r) return r.error();
      reconciler = std::move(r.value());
      reconciler->run_in_background();
      log::info("reconciler running",
                {{"interval_ms", static_cast<std::int64_t>(effective.reconcile_interval.count())}});
    }
  }
  auto sse = consumers::sse::SseServer::start(consumers::sse::with_dashboard_secret(effective));
  if (!sse) return sse.error();
  std::shared_ptr<consumers::sse::SseServer> server = std::move(sse.value());
  auto dashboard_url = url_for(effective.dashboard_addr, server->port(), "/");
  log::info("dashboard serving",
            {{"dashboard_url", dashboard_url}, {"read_api", !effective.database_url.empty()}});
  ingress::Others others;
  others.ready_fields = {{"dashboard_url", dashboard_url}};
  others.stop = [projector, server, reconciler, timeout = effective.shutdown_timeout]() mutable {
    reconciler.reset();  // after its current page
    server->stop(timeout);
    server.reset();
    projector.reset();
  };
  return others;
}

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"ingress", "Verify Shopify webhooks and publish them to Kafka, durable before 200.",
       ingress::option_names(), [](const Settings& s) { return ingress::run(s, {}); }},
      {"all",
       "Run every component in one process (local and demo mode; embedded Kafka when "
       "SHOPSTREAM_KAFKA_BROKERS is unset).",
       all_command_options(),
       [](const Settings& s) {
         ingress::RunOptions options{.allow_embedded_kafka = true,
                                     .check_postgres = true,
                                     .start_others = start_all_others};
         if (!s.database_url.empty() && !schemas::ensure_schema(s.database_url)) return 1;
         return ingress::run(s, options);
       }},
      {"project", "Project Kafka events into the Postgres read models (a consumer group).",
       consumers::project_option_names(),
       [](const Settings& s) { return consumers::run_project(s); }},
      {"sse", "Serve Server-Sent Events, the read API and the dashboard page.",
       consumers::sse::sse_option_names(),
       [](const Settings& s) { return consumers::sse::run_sse(s); }},
      {"reconcile",
       "Backfill missed webhooks from the Shopify Admin API (and re-create deleted "
       "subscriptions).",
       ingress::reconcile::reconcile_option_names(),
       [](const Settings& s) { return ingress::reconcile::run_reconcile(s); }},
      {"replay", "Re-project, republish or rebuild from retained Kafka topics.",
       consumers::replay::replay_option_names(),
       [](const Settings& s) { return consumers::replay::run_replay(s); },
       "\nExamples:\n"
       "  shopstream replay --topic orders --since 48h --shop example.myshopify.com\n"
       "      re-apply one shop's orders of the last two days to the read models\n"
       "  shopstream replay --topic products --partition 3 --from-offset 1000 --until-offset "
       "2000\n"
       "  shopstream replay --topic deadletter --republish-to origin\n"
       "      send deadletters back to the topic each came from\n"
       "  shopstream replay --rebuild --dry-run\n"
       "      count every retained record of the four event topics; without --dry-run, "
       "re-apply them\n"
       "Ranges end where each partition ended when the replay started. Re-applying is "
       "idempotent and\nsafe beside a running projector; it stores no consumer offsets.\n"},
      {"migrate",
       "Create or upgrade the Postgres schema (safe to run twice, or concurrently).",
       {"database-url", "log-level"},
       [](const Settings& s) { return schemas::ensure_schema(s.database_url) ? 0 : 1; }},
      {"token", "Mint a per-shop dashboard access token (--shop SHOP [--ttl 24h]).",
       consumers::sse::token_option_names(),
       [](const Settings& s) { return consumers::sse::run_token(s); }},
  };
  return table;
}

void usage(std::FILE* out) {
  std::fprintf(out, "shopstream %.*s: Shopify webhooks into a durable event stream\n\n",
               static_cast<int>(kVersion.size()), kVersion.data());
  std::fprintf(out,
               "Usage: shopstream <command> [flags]\n       shopstream <command> --help\n"
               "       shopstream --version\n\nCommands:\n");
  for (const auto& c : commands())
    std::fprintf(out, "  %-10.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
}

}  // namespace

int main(int argc, char** argv) {
  block_process_signals();  // before any thread starts
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    usage(stderr);
    return 2;
  }
  if (args[0] == "--version" || args[0] == "version") {
    std::printf("shopstream %.*s\n", static_cast<int>(kVersion.size()), kVersion.data());
    return 0;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    usage(stdout);
    return 0;
  }
  const Command* cmd = nullptr;
  for (const auto& c : commands())
    if (c.name == args[0]) cmd = &c;
  if (!cmd) {
    std::fprintf(stderr, "shopstream: unknown command '%s' (see shopstream --help)\n",
                 args[0].c_str());
    return 2;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  auto settings = load_settings(cmd->options, rest, process_env());
  if (!settings) {
    std::fprintf(stderr, "shopstream %s: %s\n", args[0].c_str(), settings.error().message.c_str());
    return 2;
  }
  if (settings->help) {
    std::printf("Usage: shopstream %s [flags]\n\n%.*s\n\n%s%.*s", args[0].c_str(),
                static_cast<int>(cmd->summary.size()), cmd->summary.data(),
                options_help(cmd->options).c_str(), static_cast<int>(cmd->examples.size()),
                cmd->examples.data());
    return 0;
  }
  log::set_level(settings->log_level);
  raise_open_file_limit(open_files_wanted(cmd->name, settings->max_connections));
  return cmd->run(settings.value());
}
