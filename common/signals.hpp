#pragma once
// Shutdown signals (SIGTERM, SIGINT), taken synchronously by the thread that waits.
#include <string_view>

namespace shopstream {

// Blocks the shutdown signals in the calling thread; call in main() before any thread
// starts, so every thread inherits the mask and none dies of a default signal action.
void block_shutdown_signals();
// Waits for one (blocked) shutdown signal; returns its name, "SIGTERM" or "SIGINT".
std::string_view wait_for_shutdown_signal();

}  // namespace shopstream
