#pragma once
// `shopstream replay`: wiring and checks of its flags.
#include <string_view>
#include <vector>

#include "common/config.hpp"

namespace shopstream::consumers::replay {

const std::vector<std::string_view>& replay_option_names();
int run_replay(const Settings& settings);

}  // namespace shopstream::consumers::replay
