#pragma once
// Process signals, taken synchronously by the thread that waits: SIGTERM and SIGINT shut
// down; SIGHUP asks to reload what can be reloaded.
#include <functional>
#include <string_view>

namespace shopstream {

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread; call in main() before any
// thread starts, so every thread inherits the mask and none dies of a default action.
void block_process_signals();
// Waits for SIGTERM or SIGINT and returns its name. A SIGHUP meanwhile calls `on_reload`
// (on this thread) and the wait goes on; without `on_reload` it is logged and ignored.
std::string_view wait_for_shutdown_signal(const std::function<void()>& on_reload = nullptr);

}  // namespace shopstream
