#pragma once
// Writes a small JSON file once the process serves, atomically (temp file + rename), so a
// supervisor or test can wait for it and read the bound addresses.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace shopstream {

std::optional<Error> write_ready_file(
    const std::string& path, const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace shopstream
