#include "common/kafka/conf.hpp"

#include "common/log.hpp"

namespace shopstream::kafka {
namespace {

std::optional<Error> set(rd_kafka_conf_t* conf, const std::string& k, const std::string& v) {
  char err[512];
  if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
    return fail("kafka property " + k + ": " + err);
  return std::nullopt;
}

void on_log(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  log::write(level <= 3 ? log::Level::kError : log::Level::kWarn, "librdkafka",
             {{"facility", fac}, {"detail", buf}});
}

std::optional<Error> apply_properties(rd_kafka_conf_t* conf, std::string_view properties) {
  std::size_t start = 0;
  while (start < properties.size()) {
    auto comma = properties.find(',', start);
    if (comma == std::string_view::npos) comma = properties.size();
    auto item = properties.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return fail("kafka properties: expected key=value, got '" + std::string(item) + "'");
    if (auto e = set(conf, std::string(item.substr(0, eq)), std::string(item.substr(eq + 1))))
      return e;
  }
  return std::nullopt;
}

}  // namespace

void log_kafka_error(rd_kafka_t*, int err, const char* reason, void*) {
  log::warn("kafka error", {{"code", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err))},
                            {"reason", reason}});
}

Result<rd_kafka_conf_t*> make_conf(std::string_view what, const Properties& base,
                                   std::string_view extra) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::optional<Error> e;
  for (const auto& [k, v] : base)
    if ((e = set(conf, k, v))) break;
  if (!e) e = apply_properties(conf, extra);
  if (e) {
    rd_kafka_conf_destroy(conf);
    return fail(std::string(what) + ": " + e->message);
  }
  rd_kafka_conf_set_log_cb(conf, &on_log);
  rd_kafka_conf_set_error_cb(conf, &log_kafka_error);
  return conf;
}

}  // namespace shopstream::kafka
