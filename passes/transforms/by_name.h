// Loop transformations named in text, so that `dlc opt --passes=...` can
// apply one to a loop of a lowered program, for experiments. A loop is named
// by its variable as dumps print it (each variable belongs to one loop), a
// buffer by its name:
//   split:LOOP:FACTOR             split:i3:4
//   interchange:OUTER:INNER       interchange:i3:i4
//   tile:LOOP=SIZE:LOOP=SIZE...   tile:i2=2:i4=16    (outermost first)
//   pack:LOOP:%BUFFER             pack:i2:%w
//   unroll-and-jam:LOOP:FACTOR    unroll-and-jam:i2:3
// Colons, not commas: --passes is a comma-separated list. Variables are
// numbered as the program stands when the transformation runs (earlier
// passes and transformations make new ones): read them off
// `--print-after`/`--emit=loops` of the steps before.
#ifndef DLC_PASSES_TRANSFORMS_BY_NAME_H_
#define DLC_PASSES_TRANSFORMS_BY_NAME_H_

#include <string_view>

#include "absl/status/status.h"
#include "ir/loops/loop_ir.h"

namespace dlc::transforms {

// Whether `spec` starts with a transformation's name and a colon.
bool IsTransformSpec(std::string_view spec);

// Whether `spec` is well formed (before there is a program to apply it
// to); InvalidArgument naming the expected form otherwise.
absl::Status CheckTransformSpec(std::string_view spec);

// Applies `spec` to `program`; errors (a malformed spec, no such loop or
// buffer, an illegal transformation) start with the spec.
absl::Status ApplyTransformSpec(loops::LoopProgram& program, std::string_view spec);

}  // namespace dlc::transforms

#endif  // DLC_PASSES_TRANSFORMS_BY_NAME_H_
