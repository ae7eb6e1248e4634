// Ctrl-C during training: the first SIGINT only asks the training loop to
// stop after the step that is running (so the parameters are consistent and
// can be saved); a second one ends the process at once, as usual.
#ifndef DLC_TOOLS_INTERRUPT_H_
#define DLC_TOOLS_INTERRUPT_H_

#include <csignal>

namespace dlc::tools {

// While alive, SIGINT sets a flag instead of ending the process (once: the
// handler is reset to the default by the signal itself). The previous
// handler comes back when the guard is destroyed.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // Whether SIGINT arrived since the guard was created.
  static bool Requested();

 private:
  struct sigaction previous_;
};

}  // namespace dlc::tools

#endif  // DLC_TOOLS_INTERRUPT_H_
