#include "common/signals.hpp"

#include <csignal>

#include "common/log.hpp"

namespace shopstream {
namespace {
sigset_t process_set() {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGTERM);
  sigaddset(&s, SIGINT);
  sigaddset(&s, SIGHUP);
  return s;
}
}  // namespace

void block_process_signals() {
  sigset_t s = process_set();
  pthread_sigmask(SIG_BLOCK, &s, nullptr);
}

std::string_view wait_for_shutdown_signal(const std::function<void()>& on_reload) {
  sigset_t s = process_set();
  for (;;) {
    int sig = 0;
    sigwait(&s, &sig);
    if (sig == SIGTERM) return "SIGTERM";
    if (sig == SIGINT) return "SIGINT";
    if (on_reload)
      on_reload();
    else
      log::info("SIGHUP ignored: this command has nothing to reload");
  }
}

}  // namespace shopstream
