// How the front end and the IR parser scale with the size of their input
// (issue #12's timing guard): long files, deep models, wide concats, many
// errors. Each benchmark fits a complexity; anything worse than O(N) (or
// O(N log N)) is a quadratic blow-up to fix. tests/lit/adversarial/
// large_inputs.test only trips on a hang; this measures.
// Run: ./build/tests/frontend_scaling_bench
// Not part of the test suite: speed is measured, never asserted.
#include <benchmark/benchmark.h>

#include <string>

#include "frontend/lower.h"
#include "frontend/parser.h"
#include "ir/parser.h"
#include "support/str_cat.h"

namespace dlc::dl {
namespace {

constexpr char kHead[] = "model m(x: u8[28, 28]) {\n  h = flatten(rescale(x, 1/255))\n";

std::string Model(const std::string& body, const std::string& last = "h") {
  return StrCat(kHead, body, "  return dense(", last, ", 10, activation=softmax)\n}\n");
}

// Parses and lowers `text` in training mode, as `dlc dump --stage=grad` starts.
void ParseAndLower(benchmark::State& state, const std::string& text, bool expect_ok = true) {
  for (auto _ : state) {
    absl::StatusOr<Program> program = ParseProgramText(text, "bench.dl");
    absl::StatusOr<LoweredModel> lowered =
        program.ok() ? LowerModel(*program, "m", {.batch = 1, .training = true})
                     : absl::StatusOr<LoweredModel>(program.status());
    if (lowered.ok() != expect_ok) {
      state.SkipWithError(lowered.ok() ? "lowered"
                                       : std::string(lowered.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(lowered);
  }
  state.SetComplexityN(state.range(0));
}

void CommentLines(benchmark::State& state) {
  std::string body;
  for (int64_t i = 0; i < state.range(0); ++i) body += StrCat("  # comment ", i, "\n");
  ParseAndLower(state, Model(body));
}

void LayerLines(benchmark::State& state) {
  std::string body;
  for (int64_t i = 0; i < state.range(0); ++i) body += "  h = relu(h)\n";
  ParseAndLower(state, Model(body));
}

void DenseLayers(benchmark::State& state) {
  std::string body;
  for (int64_t i = 0; i < state.range(0); ++i) body += "  h = dense(h, 16, activation=relu)\n";
  ParseAndLower(state, Model(body));
}

void ConcatWidth(benchmark::State& state) {
  std::string body, operands;
  for (int64_t i = 0; i < state.range(0); ++i) {
    body += StrCat("  b", i, " = dense(h, 2)\n");
    operands += StrCat(i == 0 ? "" : ", ", "b", i);
  }
  ParseAndLower(state, Model(StrCat(body, "  c = concat(", operands, ")\n"), "c"));
}

void ErrorLines(benchmark::State& state) {
  std::string body;
  for (int64_t i = 0; i < state.range(0); ++i) body += StrCat("  h = relu(undefined", i, ")\n");
  ParseAndLower(state, Model(body), /*expect_ok=*/false);
}

void IrLines(benchmark::State& state) {
  std::string text = "graph g {\n  %v0 = input() : f32[4]\n";
  for (int64_t i = 0; i < state.range(0); ++i) {
    text += StrCat("  %v", i + 1, " = relu(%v", i, ") : f32[4]\n");
  }
  text += StrCat("  return %v", state.range(0), "\n}\n");
  for (auto _ : state) {
    absl::StatusOr<Module> module = ParseModule(text, "bench.ir");
    if (!module.ok()) {
      state.SkipWithError(std::string(module.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(module);
  }
  state.SetComplexityN(state.range(0));
}

BENCHMARK(CommentLines)->RangeMultiplier(10)->Range(1000, 100'000)->Complexity();
BENCHMARK(LayerLines)->RangeMultiplier(10)->Range(1000, 100'000)->Complexity();
BENCHMARK(DenseLayers)->RangeMultiplier(10)->Range(10, 1000)->Complexity();
BENCHMARK(ConcatWidth)->RangeMultiplier(10)->Range(5, 5000)->Complexity();
BENCHMARK(ErrorLines)->RangeMultiplier(10)->Range(1000, 100'000)->Complexity();
BENCHMARK(IrLines)->RangeMultiplier(10)->Range(1000, 100'000)->Complexity();

}  // namespace
}  // namespace dlc::dl

BENCHMARK_MAIN();
