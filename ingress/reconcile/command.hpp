#pragma once
// `shopstream reconcile`: wiring only.
#include <string_view>
#include <vector>

#include "common/config.hpp"

namespace shopstream::ingress::reconcile {

int run_reconcile(const Settings& settings);
const std::vector<std::string_view>& reconcile_option_names();

}  // namespace shopstream::ingress::reconcile
