// Ctrl-C (SIGINT) and SIGTERM (what kill and job schedulers send) during
// training: the first one only asks the training loop to stop after the step
// that is running (so the parameters are consistent and can be saved); a
// second one, of either kind, ends the process at once, as usual.
#ifndef DLC_TOOLS_INTERRUPT_H_
#define DLC_TOOLS_INTERRUPT_H_

#include <csignal>

namespace dlc::tools {

// While alive, SIGINT and SIGTERM set a flag instead of ending the process
// (once: the first puts both back to their default action). The previous
// handlers come back when the guard is destroyed.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // Whether SIGINT or SIGTERM arrived since the guard was created.
  static bool Requested();
  // The signal that arrived (SIGINT or SIGTERM), 0 if none.
  static int Signal();

 private:
  struct sigaction previous_int_;
  struct sigaction previous_term_;
};

}  // namespace dlc::tools

#endif  // DLC_TOOLS_INTERRUPT_H_
