// What a kernel's machine code depends on, so that kernels which differ only
// in the buffers they touch share one LLVM function. A model that repeats a
// block (100 dense(16) layers, a ResNet's stages) lowers each repeat to the
// same loops over different buffers; compiling each copy made compile time
// grow with the model's depth rather than with the number of distinct
// kernels.
//
// A kernel function takes the pointers of the memory buffers it touches
// (`slots`, in the order the kernel first touches them) instead of finding
// them in the program's arguments and workspace itself. Its key is the
// kernel's loops and expressions written out with loop variables and
// buffers numbered by first appearance, together with what the emitter
// reads of each buffer: element type, kind (memory behind a slot, a
// constant with its values, a local) and a slot's alignment. Equal keys
// give equal machine code for every instance, called with each instance's
// slots.
#ifndef DLC_PASSES_CODEGEN_KERNEL_SIGNATURE_H_
#define DLC_PASSES_CODEGEN_KERNEL_SIGNATURE_H_

#include <string>
#include <vector>

#include "ir/loops/loop_ir.h"

namespace dlc::codegen {

struct KernelSignature {
  // The argument and workspace buffers the kernel loads or stores, in
  // first-use order: slot k of the kernel function's pointer array.
  std::vector<loops::BufferId> slots;
  // Equal for kernels whose code is the same given their slots; empty for
  // a kernel that refers to an expression, statement, buffer or variable
  // that does not exist (the emitter reports those; it shares nothing).
  std::string key;
};

// The alignment the emitter may assume of a slot's pointer: the ABI's 64
// bytes for arguments and the workspace, less for a temporary at an offset
// that is no multiple of 64.
int64_t SlotAlignment(const loops::Buffer& buffer);

KernelSignature SignatureOf(const loops::LoopProgram& program, const loops::Kernel& kernel);

}  // namespace dlc::codegen

#endif  // DLC_PASSES_CODEGEN_KERNEL_SIGNATURE_H_
