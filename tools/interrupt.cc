#include "tools/interrupt.h"

#include <unistd.h>

namespace dlc::tools {
namespace {

volatile std::sig_atomic_t received = 0;

extern "C" void OnInterrupt(int signal) {
  received = signal;
  // The next SIGINT or SIGTERM ends the process: signal() and write() are
  // async-signal-safe; stdio is not.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  constexpr char kInterrupt[] = "\nStopping after the current step (Ctrl-C again quits at once)\n";
  constexpr char kTerminate[] =
      "\nTerminated: stopping after the current step (a second signal quits at once)\n";
  if (signal == SIGTERM) {
    [[maybe_unused]] ssize_t ignored = ::write(STDERR_FILENO, kTerminate, sizeof kTerminate - 1);
  } else {
    [[maybe_unused]] ssize_t ignored = ::write(STDERR_FILENO, kInterrupt, sizeof kInterrupt - 1);
  }
}

}  // namespace

InterruptGuard::InterruptGuard() {
  received = 0;
  struct sigaction action = {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &previous_int_);
  sigaction(SIGTERM, &action, &previous_term_);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &previous_int_, nullptr);
  sigaction(SIGTERM, &previous_term_, nullptr);
}

bool InterruptGuard::Requested() { return received != 0; }

int InterruptGuard::Signal() { return received; }

}  // namespace dlc::tools
