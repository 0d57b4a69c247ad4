#include "common/signals.hpp"

#include <csignal>

namespace shopstream {
namespace {
sigset_t shutdown_set() {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGTERM);
  sigaddset(&s, SIGINT);
  return s;
}
}  // namespace

void block_shutdown_signals() {
  sigset_t s = shutdown_set();
  pthread_sigmask(SIG_BLOCK, &s, nullptr);
}

std::string_view wait_for_shutdown_signal() {
  sigset_t s = shutdown_set();
  int sig = 0;
  sigwait(&s, &sig);
  return sig == SIGTERM ? "SIGTERM" : "SIGINT";
}

}  // namespace shopstream
