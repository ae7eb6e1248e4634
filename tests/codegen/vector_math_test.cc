// f32 exp and log as the JIT computes them (polynomials in vector registers,
// passes/codegen/vector_math.h), and tanh and sigmoid, which the loop IR
// builds from exp: within 1e-6 of the f64 libm value, relative (absolute one
// denormal step, 2^-149, where the result is below FLT_MIN), over a sweep of
// the whole f32 range, in vectorized loops (16 lanes with a masked tail) and
// in scalar ones; special values exactly as C has them.
#include <cmath>
#include <cstring>
#include <limits>

#include "ir/parser.h"
#include "passes/pipeline.h"
#include "support/str_cat.h"
#include "tests/codegen/codegen_test_util.h"

namespace dlc::codegen_test {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kMin = std::numeric_limits<float>::min();               // smallest normal
constexpr float kDenormMin = std::numeric_limits<float>::denorm_min();  // 2^-149
constexpr float kMax = std::numeric_limits<float>::max();
constexpr double kTolerance = 1e-6;

// Every 4099th bit pattern (all exponents, both signs, NaNs and infinities),
// a dense grid over [lo, hi], and the special values.
std::vector<float> Sweep(double lo, double hi) {
  std::vector<float> x;
  for (uint64_t bits = 0; bits < (uint64_t{1} << 32); bits += 4099) {
    const uint32_t b = static_cast<uint32_t>(bits);
    float f;
    std::memcpy(&f, &b, sizeof f);
    x.push_back(f);
  }
  constexpr int kGrid = 100000;
  for (int i = 0; i <= kGrid; ++i) x.push_back(static_cast<float>(lo + (hi - lo) * i / kGrid));
  for (float f : {0.0f,
                  -0.0f,
                  kDenormMin,
                  -kDenormMin,
                  kMin,
                  -kMin,
                  1e-40f,
                  kMax,
                  -kMax,
                  kInf,
                  -kInf,
                  kNaN,
                  1.0f,
                  -1.0f,
                  88.72283f,
                  88.72284f,
                  -87.33654f,
                  -103.97f,
                  -103.98f,
                  std::nextafter(1.0f, 0.0f),
                  std::nextafter(1.0f, 2.0f),
                  0.70710677f,
                  1.4142135f,
                  0.625f,
                  -0.625f,
                  0.0625f,
                  9.0f,
                  -9.0f,
                  44.5f}) {
    x.push_back(f);
  }
  // Not a multiple of 16: the vectorized loop ends in a masked step.
  if (x.size() % 16 == 0) x.push_back(0.5f);
  return x;
}

// The largest error of `got` against `reference(x)` (f64), in units of
// the tolerance; an infinite or NaN reference must be met exactly, as must
// a result that overflows f32.
struct Worst {
  double error = 0;  // relative, or absolute in 2^-149 units below FLT_MIN
  float x = 0, got = 0;
  double expected = 0;
  int mismatches = 0;
};

Worst Compare(const std::vector<float>& x, const AlignedVector<float>& got,
              double (*reference)(double)) {
  Worst worst;
  for (size_t i = 0; i < x.size(); ++i) {
    const double expected = reference(x[i]);
    const float rounded = static_cast<float>(expected);
    double error = 0;
    if (std::isnan(expected) || std::isnan(got[i])) {
      error = std::isnan(expected) && std::isnan(got[i]) ? 0 : INFINITY;
    } else if (std::isinf(rounded) || std::isinf(got[i])) {
      error = rounded == got[i] ? 0 : INFINITY;
    } else {
      const double diff = std::fabs(got[i] - expected);
      error =
          std::fabs(expected) < kMin ? diff / kDenormMin * kTolerance : diff / std::fabs(expected);
    }
    if (error > kTolerance) ++worst.mismatches;
    if (error > worst.error) worst = {error, x[i], got[i], expected, worst.mismatches};
  }
  return worst;
}

void ExpectWithinTolerance(const std::vector<float>& x, const AlignedVector<float>& got,
                           double (*reference)(double), const std::string& what) {
  const Worst worst = Compare(x, got, reference);
  EXPECT_EQ(worst.mismatches, 0) << what << ": " << worst.mismatches << " values off by more than "
                                 << kTolerance << "; the worst: f(" << worst.x
                                 << ") = " << worst.got << ", expected " << worst.expected
                                 << " (error " << worst.error << ")";
}

// out[i] = op(x[i]) by a hand-built loop of `shape`.
AlignedVector<float> RunUnary(UnaryOp op, const std::vector<float>& x, LoopShape shape) {
  const int64_t n = static_cast<int64_t>(x.size());
  TestProgram p("unary");
  BufferId in = p.Input("x", Type::kF32, n);
  BufferId out = p.Output("out", Type::kF32, n);
  p.Loop(n, shape.kind, shape.width, [&](ExprId i) {
    LoopBuilder& b = p.b();
    return std::vector<StmtId>{b.Store(out, i, b.Unary(op, b.Load(in, i)))};
  });
  AlignedVector<float> input(x.begin(), x.end()), result(n);
  absl::StatusOr<int32_t> code = p.Run({input.data(), result.data()});
  EXPECT_TRUE(code.ok() && *code == 0) << shape.name << ": " << code.status();
  return result;
}

// y = op(x) as a one-op tensor graph through the pipeline: scheduled for
// the host (vectorized), or with no loop pass (serial, scalar code).
AlignedVector<float> RunGraphOp(const std::string& op, const std::vector<float>& x,
                                bool scheduled) {
  const std::string n = std::to_string(x.size());
  absl::StatusOr<Module> module =
      ParseModule(StrCat("graph g {\n  %x = input() : f32[", n, "]\n  %y = ", op, "(%x) : f32[", n,
                         "]\n  return %y\n}\n"));
  EXPECT_TRUE(module.ok()) << module.status();
  if (!module.ok()) return {};
  PipelineOptions options = PipelineOptionsFor(Jit().target());
  if (!scheduled) options.loop_passes = std::vector<std::string>{};
  Pipeline pipeline(options);
  absl::StatusOr<loops::LoopProgram> program = pipeline.LowerToLoops(module->graphs[0]);
  EXPECT_TRUE(program.ok()) << program.status();
  if (!program.ok()) return {};
  absl::StatusOr<jit::CompiledFunction> compiled = Jit().Compile(*program, pipeline);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  if (!compiled.ok()) return {};
  AlignedVector<float> input(x.begin(), x.end()), result(x.size());
  std::vector<void*> args;
  for (loops::BufferId id : program->arguments) {
    args.push_back(program->buffer(id).kind == loops::BufferKind::kInput
                       ? static_cast<void*>(input.data())
                       : static_cast<void*>(result.data()));
  }
  absl::Status status = compiled->Run(args);
  EXPECT_TRUE(status.ok()) << status;
  return result;
}

constexpr LoopShape kVectorAndScalar[] = {
    {LoopKind::kVectorized, 16, "vectorized16"},
    {LoopKind::kSerial, 1, "serial"},
};

double Exp(double x) { return std::exp(x); }
double Log(double x) { return std::log(x); }
double Tanh(double x) { return std::tanh(x); }
double Sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

TEST(VectorMathTest, ExpIsWithin1e6OfLibmOverTheF32Range) {
  const std::vector<float> x = Sweep(-105, 90);
  for (const LoopShape& shape : kVectorAndScalar) {
    ExpectWithinTolerance(x, RunUnary(UnaryOp::kExp, x, shape), Exp, StrCat("exp ", shape.name));
  }
}

TEST(VectorMathTest, LogIsWithin1e6OfLibmOverTheF32Range) {
  std::vector<float> x = Sweep(0.5, 2);
  // Near 1, where log(x) is near 0 and only relative error counts.
  for (int i = -5000; i <= 5000; ++i) x.push_back(1.0f + i * 0x1p-23f);
  for (const LoopShape& shape : kVectorAndScalar) {
    ExpectWithinTolerance(x, RunUnary(UnaryOp::kLog, x, shape), Log, StrCat("log ", shape.name));
  }
}

TEST(VectorMathTest, TanhAndSigmoidAreWithin1e6OfLibm) {
  const std::vector<float> x = Sweep(-10, 10);
  for (bool scheduled : {true, false}) {
    const std::string how = scheduled ? " vectorized" : " serial";
    ExpectWithinTolerance(x, RunGraphOp("tanh", x, scheduled), Tanh, "tanh" + how);
    ExpectWithinTolerance(x, RunGraphOp("sigmoid", x, scheduled), Sigmoid, "sigmoid" + how);
  }
}

// Results bit for bit (any NaN equals any NaN), in both loop kinds.
void ExpectExactly(const std::vector<std::pair<float, float>>& cases,
                   const std::function<AlignedVector<float>(const std::vector<float>&, bool)>& run,
                   const std::string& what) {
  std::vector<float> x;
  for (const auto& [in, out] : cases) x.push_back(in);
  for (bool vector : {true, false}) {
    const AlignedVector<float> got = run(x, vector);
    ASSERT_EQ(got.size(), x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      EXPECT_TRUE(SameValue(got[i], cases[i].second))
          << what << (vector ? " vectorized" : " serial") << "(" << x[i] << ") = " << got[i]
          << ", expected " << cases[i].second;
    }
  }
}

std::function<AlignedVector<float>(const std::vector<float>&, bool)> Unary(UnaryOp op) {
  return [op](const std::vector<float>& x, bool vector) {
    return RunUnary(op, x, kVectorAndScalar[vector ? 0 : 1]);
  };
}

TEST(VectorMathTest, ExpSpecialValues) {
  ExpectExactly({{0.0f, 1.0f},
                 {-0.0f, 1.0f},
                 {kDenormMin, 1.0f},
                 {kInf, kInf},
                 {-kInf, 0.0f},
                 {kNaN, kNaN},
                 {-kNaN, kNaN},
                 {88.72284f, kInf},  // the first float whose e^x is past FLT_MAX
                 {89.0f, kInf},
                 {1e30f, kInf},
                 {-103.98f, 0.0f},  // e^x below half the smallest denormal
                 {-1e30f, 0.0f}},
                Unary(UnaryOp::kExp), "exp");
  // Just inside the limits: finite, and denormal (not flushed) at the low end.
  const AlignedVector<float> edge =
      RunUnary(UnaryOp::kExp, {88.72283f, -103.0f, -90.0f}, kVectorAndScalar[0]);
  EXPECT_TRUE(std::isfinite(edge[0]) && edge[0] > 3.4e38f) << edge[0];
  EXPECT_GT(edge[1], 0.0f);
  EXPECT_EQ(std::fpclassify(edge[2]), FP_SUBNORMAL) << edge[2];
}

TEST(VectorMathTest, LogSpecialValues) {
  ExpectExactly({{0.0f, -kInf},
                 {-0.0f, -kInf},
                 {1.0f, 0.0f},
                 {-1.0f, kNaN},
                 {-kDenormMin, kNaN},
                 {-kInf, kNaN},
                 {kInf, kInf},
                 {kNaN, kNaN}},
                Unary(UnaryOp::kLog), "log");
  // Denormals are scaled up, not taken for zero: log(2^-149) = -149 ln 2.
  const AlignedVector<float> tiny = RunUnary(UnaryOp::kLog, {kDenormMin}, kVectorAndScalar[1]);
  EXPECT_NEAR(tiny[0], -149 * std::log(2.0), 1e-4);
}

TEST(VectorMathTest, TanhSpecialValuesKeepTheSign) {
  ExpectExactly(
      {{0.0f, 0.0f},
       {-0.0f, -0.0f},
       {kDenormMin, kDenormMin},
       {-kDenormMin, -kDenormMin},
       {9.5f, 1.0f},  // saturated: 1 - tanh(9.5) is below half an ulp of 1
       {-9.5f, -1.0f},
       {50.0f, 1.0f},
       {-1e30f, -1.0f},
       {kInf, 1.0f},
       {-kInf, -1.0f},
       {kNaN, kNaN}},
      [](const std::vector<float>& x, bool vector) { return RunGraphOp("tanh", x, vector); },
      "tanh");
}

}  // namespace
}  // namespace dlc::codegen_test
