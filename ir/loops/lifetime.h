// When each buffer is in use: the range of kernels (by index in
// LoopProgram::kernels) that read or write it. Two temps whose ranges do not
// meet may share workspace memory.
#ifndef DLC_IR_LOOPS_LIFETIME_H_
#define DLC_IR_LOOPS_LIFETIME_H_

#include <vector>

#include "ir/loops/loop_ir.h"

namespace dlc::loops {

struct KernelRange {
  int first = -1;  // -1: no kernel touches the buffer
  int last = -1;

  bool used() const { return first >= 0; }
  bool Meets(const KernelRange& other) const {
    return used() && other.used() && first <= other.last && other.first <= last;
  }
};

// One range per buffer, indexed by BufferId.
std::vector<KernelRange> BufferLifetimes(const LoopProgram& program);

}  // namespace dlc::loops

#endif  // DLC_IR_LOOPS_LIFETIME_H_
