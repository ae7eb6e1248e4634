// The counter-based random numbers of the random_uniform op. Element `index`
// of the result under key (seed, step) and `stream` is a pure function of
// those four numbers, so any backend (interpreter, generated code) computes
// the same value independently, in any order, on any thread.
#ifndef DLC_IR_RANDOM_HASH_H_
#define DLC_IR_RANDOM_HASH_H_

#include <cstdint>

namespace dlc {

// SplitMix64's finaliser: a bijection that scrambles every bit.
inline uint64_t MixBits(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// 64 random bits for one element.
inline uint64_t RandomBits(int32_t seed, int32_t step, int64_t stream, int64_t index) {
  const uint64_t key =
      (static_cast<uint64_t>(static_cast<uint32_t>(seed)) << 32) | static_cast<uint32_t>(step);
  const uint64_t counter =
      static_cast<uint64_t>(stream) * 0x9e3779b97f4a7c15ULL + static_cast<uint64_t>(index);
  return MixBits(key ^ MixBits(counter));
}

// Uniform in [0, 1) with 24 random bits: exactly representable in f32.
inline double RandomUniform(int32_t seed, int32_t step, int64_t stream, int64_t index) {
  return static_cast<double>(RandomBits(seed, step, stream, index) >> 40) * 0x1.0p-24;
}

}  // namespace dlc

#endif  // DLC_IR_RANDOM_HASH_H_
