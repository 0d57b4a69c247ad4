#include "common/ready_file.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "common/log.hpp"

namespace shopstream {

std::optional<Error> write_ready_file(
    const std::string& path, const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string json = "{";
  for (const auto& [k, v] : fields) {
    if (json.size() > 1) json += ",";
    log::append_json_string(json, k);
    json += ":";
    log::append_json_string(json, v);
  }
  json += ",\"pid\":" + std::to_string(::getpid()) + "}\n";
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << json;
    if (!out) return fail("cannot write ready file " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return fail("cannot rename ready file to " + path);
  return std::nullopt;
}

}  // namespace shopstream
