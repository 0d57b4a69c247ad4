#pragma once
// The dashboard page (consumers/dashboard/index.html, embedded at build time): plain
// HTML, CSS and JavaScript with no external assets, so it works with no internet.
#include <string_view>

namespace shopstream::consumers::dashboard {

std::string_view page();

}  // namespace shopstream::consumers::dashboard
