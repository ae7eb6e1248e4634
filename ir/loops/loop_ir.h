// The loop IR: what a tensor-IR graph becomes before LLVM. A LoopProgram is
// one function over flat buffers: loop nests whose loops each carry a kind
// (serial, parallel, vectorized, unrolled), stores of scalar expressions,
// and guards. Index arithmetic is explicit (i64), so a reader sees exactly
// which element each statement touches.
//
// The schedule (which loop is parallel, vectorized, tiled) is a property of
// the loops, changed by passes on this IR; the LLVM emitter only follows it.
//
// Expressions and statements live in arenas owned by the program and are
// referred to by index, like values in the tensor IR.
#ifndef DLC_IR_LOOPS_LOOP_IR_H_
#define DLC_IR_LOOPS_LOOP_IR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ir/dtype.h"
#include "ir/tensor_type.h"

namespace dlc::loops {

// Scalar types: the tensor element types plus i64 (indices) and u64
// (random-number hashing).
enum class Type : uint8_t { kF32, kF64, kI32, kU8, kI1, kI64, kU64 };

Type TypeOf(DType dtype);
std::string_view TypeName(Type type);  // "f32", ..., "i64", "u64"
bool IsFloatType(Type type);
int64_t TypeSize(Type type);   // bytes per element (i1: 1)
bool IsSignedType(Type type);  // i32, i64

using ExprId = int32_t;
using StmtId = int32_t;
using BufferId = int32_t;
using VarId = int32_t;  // a loop's induction variable (i64)

// ---- buffers --------------------------------------------------------------

enum class BufferKind : uint8_t {
  kInput,     // an argument: a graph input or parameter (read only)
  kOutput,    // an argument: a graph output (written)
  kTemp,      // an intermediate, placed in the workspace by memory planning
  kConstant,  // values known at compile time (emitted as a global)
  kLocal,     // one element private to the code running it, kept in a
              // register: an accumulator. Inside a vectorized loop each lane
              // has its own. Never in memory, so nothing else aliases it.
};

struct Buffer {
  std::string name;  // the tensor-IR value's name
  Type type = Type::kF32;
  Shape shape;  // for reading; all access is by flat row-major index
  BufferKind kind = BufferKind::kTemp;
  std::vector<double> values;  // kConstant: one per element (or one: a splat)
  int64_t offset = -1;         // kTemp: byte offset in the workspace, once planned

  int64_t num_elements() const { return NumElements(shape); }
};

// ---- expressions ----------------------------------------------------------

enum class ExprKind : uint8_t {
  kConst,    // value, of `type`
  kVar,      // loop variable `var` (i64)
  kLoad,     // buffer[a]  (a: i64 flat index)
  kUnary,    // unary_op(a)
  kBinary,   // binary_op(a, b)
  kCompare,  // compare_op(a, b) -> i1
  kSelect,   // a ? b : c   (a: i1)
  kCast,     // a converted to `type`: float -> int truncates and saturates,
             // NaN -> 0; anything -> i1 is (a != 0); like the interpreter
};

enum class UnaryOp : uint8_t { kNeg, kExp, kLog, kSqrt, kAbs, kFloor, kNot };
enum class BinaryOp : uint8_t {
  kAdd,
  kSub,
  kMul,
  kDiv,  // float division; integer division truncates (divisor 0 gives 0, see below)
  kRem,  // integer remainder (divisor 0 gives 0)
  kMax,
  kMin,  // floats: NaN propagates, as the interpreter does
  kPow,
  kAnd,
  kOr,
  kXor,
  kShl,
  kShr,  // integers (shr is logical for u64, arithmetic for i32/i64)
};
enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

struct Expr {
  ExprKind kind = ExprKind::kConst;
  Type type = Type::kF32;  // the result type
  double value = 0;        // kConst (integers up to 2^53 exactly; u64 constants use `bits`)
  uint64_t bits = 0;       // kConst of type u64
  VarId var = -1;          // kVar
  BufferId buffer = -1;    // kLoad
  UnaryOp unary = UnaryOp::kNeg;
  BinaryOp binary = BinaryOp::kAdd;
  CompareOp compare = CompareOp::kEq;
  ExprId a = -1, b = -1, c = -1;
};

// ---- statements -----------------------------------------------------------

enum class StmtKind : uint8_t {
  kFor,    // for var in [0, extent): body
  kStore,  // buffer[index] = value
  kIf,     // if (cond) body
  kCheck,  // if (!cond) fail with `error` (a label out of range, say)
};

enum class LoopKind : uint8_t {
  kSerial,
  kParallel,    // iterations may run on different threads
  kVectorized,  // iterations run `width` at a time in SIMD lanes (tail handled)
  kUnrolled,    // body repeated `width` times per iteration (tail handled)
};

struct Stmt {
  StmtKind kind = StmtKind::kStore;
  // kFor
  VarId var = -1;
  int64_t extent = 0;
  LoopKind loop = LoopKind::kSerial;
  int width = 1;             // vector lanes or unroll factor
  std::vector<StmtId> body;  // kFor, kIf
  // kStore
  BufferId buffer = -1;
  ExprId index = -1;
  ExprId value = -1;
  // kIf, kCheck
  ExprId cond = -1;
  int32_t error = 0;  // kCheck: returned by the function when cond fails
};

// One tensor-IR node's loop nests, in order; named for dumps and errors.
struct Kernel {
  std::string name;  // "%conv2d.conv = conv2d"
  std::vector<StmtId> body;
};

// A function `int32_t f(void** args)`: args[i] points at argument buffer i
// (inputs and outputs in `arguments` order), args[n] at the workspace of
// `workspace_bytes` (64-byte aligned). Returns 0, or the `error` of the
// first failed kCheck.
struct LoopProgram {
  std::string name;
  std::vector<Buffer> buffers;
  std::vector<BufferId> arguments;  // inputs first (graph order), then outputs
  std::vector<Expr> exprs;
  std::vector<Stmt> stmts;
  std::vector<Kernel> kernels;
  int32_t num_vars = 0;
  int64_t workspace_bytes = 0;
  std::vector<std::string> errors;  // errors[k - 1]: what error code k means

  const Expr& expr(ExprId id) const { return exprs[id]; }
  const Stmt& stmt(StmtId id) const { return stmts[id]; }
  const Buffer& buffer(BufferId id) const { return buffers[id]; }
};

// The operands expression `e`'s kind uses, in order (a, b, c).
std::vector<ExprId> ExprOperands(const Expr& e);

// Whether expressions x and y of `p` compute the same thing: the same kind,
// type and operation (constant, variable, buffer) on operands that do,
// compared structurally.
bool SameExpr(const LoopProgram& p, ExprId x, ExprId y);

}  // namespace dlc::loops

#endif  // DLC_IR_LOOPS_LOOP_IR_H_
