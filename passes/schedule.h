// The schedule of a lowered program: which innermost loops run in SIMD
// lanes, which loop of each nest runs in parallel across threads (reductions
// in registers and register blocking have passes of their own; the order in
// which they all run is passes/pipeline.h's). A loop gets a kind only when
// the analysis (loop_analysis.h) shows its iterations independent.
#ifndef DLC_PASSES_SCHEDULE_H_
#define DLC_PASSES_SCHEDULE_H_

#include "absl/status/status.h"
#include "ir/loops/loop_ir.h"

namespace dlc {

struct ScheduleOptions {
  // Bytes in the widest vector register (64 for AVX-512, 32 for AVX2, 0:
  // no vectorization). Lanes = vector_bytes / element size.
  int vector_bytes = 64;
  // Loops shorter than this stay scalar: a vector step (and its mask) for
  // fewer elements costs more than it saves.
  int64_t min_vector_extent = 4;
  // Parallelize nests with at least this many innermost iterations (smaller
  // ones are not worth waking threads for); 0: no parallel loops.
  int64_t min_parallel_work = 1 << 15;
  // Keep reductions' running values in registers (register_accumulation.h).
  bool accumulate_in_registers = true;
  // ... and run this many independent accumulations side by side
  // (register_blocking.h); below 2: none.
  int register_block = 8;
  // Vector registers one nest may keep as accumulators (AVX-512 has 32; a
  // few stay free for operands): register accumulation unrolls no more and
  // blocking makes no more.
  int max_accumulators = 28;
  // A filter or bias gradient (an accumulation with no loop around it)
  // splits its vector steps across threads when it sums at least this many
  // terms per element; shorter reductions are not worth waking threads for.
  int64_t min_reduction_to_split = 1024;
  // The target's vector registers: a convolution tile's accumulators plus
  // the operands it loads must fit (to_loops/conv_tiles.h).
  int vector_registers = 32;
  // Per-core L2 data cache: blocks of a strided operand are sized to stay in it.
  int64_t l2_bytes = 1 << 20;
  // The L1 data and L3 caches of the host model; no pass sizes anything by
  // them yet, but they are part of the model the flags show and override.
  int64_t l1_bytes = 48 << 10;
  int64_t l3_bytes = 32 << 20;
  // Stride-1 convolutions and matrix products lowered as register tiles
  // (to_loops/conv_tiles.h); false: the plain nests, for comparison.
  bool register_tiles = true;
  // > 0: every register tile covers this many output pixels (a matrix
  // product's rows) instead of as many as the registers hold (an
  // experiment; conv_tiles.h).
  int64_t pixel_tile = 0;
};

// Innermost loops whose bodies are plain stores and whose iterations are
// independent run in SIMD lanes of `options.vector_bytes` (no-op when 0),
// when they have at least `options.min_vector_extent` iterations.
void VectorizeLoops(loops::LoopProgram& program, const ScheduleOptions& options);

// The outermost independent loop of each nest with at least
// `min_parallel_work` iterations runs across threads (no-op when 0).
void ParallelizeLoops(loops::LoopProgram& program, int64_t min_parallel_work);

}  // namespace dlc

#endif  // DLC_PASSES_SCHEDULE_H_
