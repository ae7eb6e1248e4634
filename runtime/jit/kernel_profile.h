// Where a compiled program spends its time, kernel by kernel (one kernel per
// tensor-IR node). Programs compiled with EmitOptions::profile_kernels call
// `dlc_profile_kernel(k)` as kernel k starts and `dlc_profile_kernel(-1)`
// after the last; the time between two calls is charged to the kernel that
// was running. Wall time, so a parallel kernel counts once, not per thread.
//
// For measuring (tests/bench/kernel_profile), not for production runs: one
// process-wide profile, not thread-safe across concurrently running programs.
#ifndef DLC_RUNTIME_JIT_KERNEL_PROFILE_H_
#define DLC_RUNTIME_JIT_KERNEL_PROFILE_H_

#include <cstdint>
#include <vector>

namespace dlc::jit {

// Clears the profile and sizes it for programs of `kernels` kernels.
void ResetKernelProfile(int32_t kernels);

// Seconds charged to each kernel since the last reset.
std::vector<double> KernelProfileSeconds();

}  // namespace dlc::jit

extern "C" void dlc_profile_kernel(int32_t kernel);

#endif  // DLC_RUNTIME_JIT_KERNEL_PROFILE_H_
