#include "runtime/jit/kernel_profile.h"

#include <chrono>

namespace dlc::jit {
namespace {

using Clock = std::chrono::steady_clock;

struct Profile {
  std::vector<double> seconds;
  int32_t running = -1;
  Clock::time_point since;
};

Profile& TheProfile() {
  static Profile profile;
  return profile;
}

}  // namespace

void ResetKernelProfile(int32_t kernels) {
  Profile& p = TheProfile();
  p.seconds.assign(static_cast<size_t>(kernels > 0 ? kernels : 0), 0.0);
  p.running = -1;
}

std::vector<double> KernelProfileSeconds() { return TheProfile().seconds; }

}  // namespace dlc::jit

extern "C" void dlc_profile_kernel(int32_t kernel) {
  dlc::jit::Profile& p = dlc::jit::TheProfile();
  const auto now = dlc::jit::Clock::now();
  if (p.running >= 0 && p.running < static_cast<int32_t>(p.seconds.size())) {
    p.seconds[p.running] += std::chrono::duration<double>(now - p.since).count();
  }
  p.running = kernel;
  p.since = now;
}
