#pragma once
// librdkafka configurations, built one way for every client (producers, readers, the
// projector's consumer, the embedded cluster's host): the client's own properties, then
// the operator's (SHOPSTREAM_KAFKA_PROPERTIES, which may override them), and librdkafka's
// log lines and errors written as shopstream's JSON log lines instead of its plain text.
#include <librdkafka/rdkafka.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace shopstream::kafka {

using Properties = std::vector<std::pair<std::string, std::string>>;

// A new configuration the caller owns (rd_kafka_new takes it on success): `base`, then
// `extra` ("k=v,k=v"). Errors name the property and start with `what` ("kafka reader").
Result<rd_kafka_conf_t*> make_conf(std::string_view what, const Properties& base,
                                   std::string_view extra = "");

// The error callback make_conf installs: one "kafka error" warning. Clients that count
// errors install their own and call this.
void log_kafka_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);

}  // namespace shopstream::kafka
