#pragma once
// What every command does at start-up: one way to give up, and the contract's topics.
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/config.hpp"
#include "common/result.hpp"

namespace shopstream {

// Logs "start-up failed" with `what` and returns the exit code 1.
int startup_failure(std::string_view what);

// Raises the soft limit on open files to the hard one (often 1024 against 524288 under
// systemd): a server holds one descriptor per connection. Logs a warning when even that
// is below `wanted`; returns the limit now in force.
std::uint64_t raise_open_file_limit(std::uint64_t wanted);

// The descriptors `command` may hold at once: one a connection up to the cap of each
// server it runs (`all` runs the ingress and the SSE server, each with its own cap), and
// 256 for Kafka, Postgres, files and the metrics port. 0 for commands that serve nothing.
std::uint64_t open_files_wanted(std::string_view command, std::uint64_t max_connections);

// Creates the contract's topics that are missing (partitions and replication from
// `settings`), with a short-lived client; retries for 30 s.
std::optional<Error> ensure_contract_topics(const Settings& settings);

}  // namespace shopstream
