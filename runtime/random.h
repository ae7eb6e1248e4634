// Deterministic random numbers: the same seed gives the same numbers on
// every machine and standard library (no std:: distributions, whose output
// is implementation-defined).
#ifndef DLC_RUNTIME_RANDOM_H_
#define DLC_RUNTIME_RANDOM_H_

#include <array>
#include <cstdint>
#include <string_view>

namespace dlc {

// xoshiro256** seeded through SplitMix64. `stream` separates independent
// sequences under one seed (one per parameter, one per epoch's shuffle, ...).
class Rng {
 public:
  explicit Rng(uint64_t seed, uint64_t stream = 0);

  uint64_t NextU64();
  double Uniform();                         // [0, 1), 53 random bits
  double Uniform(double low, double high);  // [low, high)
  uint64_t Below(uint64_t n);               // [0, n), unbiased; n > 0
  double Normal();                          // standard normal (Box-Muller)
  double TruncatedNormal();                 // standard normal redrawn outside [-2, 2]

  const std::array<uint64_t, 4>& state() const { return state_; }

 private:
  std::array<uint64_t, 4> state_;
};

// A stable 64-bit hash of a name (FNV-1a), to derive a stream from it.
uint64_t StreamOf(std::string_view name);

}  // namespace dlc

#endif  // DLC_RUNTIME_RANDOM_H_
