#include "tests/onnx/ort_runner.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "support/str_cat.h"

namespace dlc::onnx_test {
namespace {

const std::string kRunnerDir = StrCat(DLC_SOURCE_DIR, "/tests/onnx/ort");

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::Status WriteFile(const std::string& path, const void* data, size_t size) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) return absl::InternalError(StrCat("cannot write ", path));
  return absl::OkStatus();
}

// onnxruntime-node's names of dlc's element types.
std::optional<std::string> OrtType(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "float32";
    case DType::kF64: return "float64";
    case DType::kI32: return "int32";
    case DType::kU8: return "uint8";
    case DType::kI1: return "bool";
  }
  return std::nullopt;
}

std::optional<DType> FromOrtType(std::string_view name) {
  for (DType d : {DType::kF32, DType::kF64, DType::kI32, DType::kU8, DType::kI1}) {
    if (OrtType(d) == name) return d;
  }
  return std::nullopt;
}

std::string ShellQuote(const std::string& s) {
  std::string quoted = "'";
  for (char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

std::optional<std::string> OrtUnavailable() {
  const std::string node = DLC_NODE;
  if (node.empty() || access(node.c_str(), X_OK) != 0) {
    return "node (Node.js) was not found when the build was configured";
  }
  if (!std::filesystem::exists(kRunnerDir + "/node_modules/onnxruntime-node/package.json")) {
    return StrCat("onnxruntime-node is not installed in ", kRunnerDir,
                  " (scripts/setup_ort.sh installs it)");
  }
  return std::nullopt;
}

absl::StatusOr<std::vector<Tensor>> RunWithOrt(const std::string& model, const Tensor& input) {
  if (std::optional<std::string> why = OrtUnavailable()) return absl::UnavailableError(*why);
  static std::atomic<int> counter{0};
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / StrCat("ort_", getpid(), "_", counter++);
  std::filesystem::create_directories(dir);
  const std::string model_path = dir / "model.onnx";
  const std::string input_path = dir / "input.bin";
  const std::string prefix = dir / "output";
  const std::string listing = dir / "outputs.txt";
  const std::string errors = dir / "stderr.txt";
  if (absl::Status s = WriteFile(model_path, model.data(), model.size()); !s.ok()) return s;
  if (absl::Status s =
          WriteFile(input_path, input.raw_data(), static_cast<size_t>(input.byte_size()));
      !s.ok()) {
    return s;
  }
  std::string dims;
  for (int64_t d : input.shape()) dims += StrCat(dims.empty() ? "" : ",", d);
  const std::string command =
      StrCat(ShellQuote(DLC_NODE), " ", ShellQuote(kRunnerDir + "/run_model.js"), " ",
             ShellQuote(model_path), " ", ShellQuote(input_path), " ", *OrtType(input.dtype()), " ",
             dims, " ", ShellQuote(prefix), " > ", ShellQuote(listing), " 2> ", ShellQuote(errors));
  if (std::system(command.c_str()) != 0) {
    return absl::InternalError(StrCat("ONNX Runtime failed: ", ReadFile(errors)));
  }
  std::vector<Tensor> outputs;
  for (absl::string_view line : absl::StrSplit(ReadFile(listing), '\n', absl::SkipEmpty())) {
    const std::vector<std::string> fields = absl::StrSplit(line, ' ');
    if (fields.size() != 3) return absl::InternalError(StrCat("bad runner line: ", line));
    std::optional<DType> dtype = FromOrtType(fields[1]);
    if (!dtype) return absl::InternalError(StrCat("unexpected output type ", fields[1]));
    Shape shape;
    for (absl::string_view d : absl::StrSplit(fields[2], ',', absl::SkipEmpty())) {
      int64_t size = 0;
      if (!absl::SimpleAtoi(d, &size)) return absl::InternalError(StrCat("bad dims ", fields[2]));
      shape.push_back(size);
    }
    Tensor tensor(*dtype, shape);
    const std::string data = ReadFile(StrCat(prefix, outputs.size(), ".bin"));
    if (static_cast<int64_t>(data.size()) != tensor.byte_size()) {
      return absl::InternalError(StrCat("output ", fields[0], " has ", data.size(),
                                        " bytes, expected ", tensor.byte_size()));
    }
    std::copy(data.begin(), data.end(), reinterpret_cast<char*>(tensor.raw_data()));
    outputs.push_back(std::move(tensor));
  }
  std::filesystem::remove_all(dir);
  return outputs;
}

::testing::AssertionResult AllClose(const Tensor& actual, const Tensor& expected,
                                    double tolerance) {
  if (actual.type() != expected.type()) {
    return ::testing::AssertionFailure()
           << "types differ: " << actual.type().ToString() << " vs " << expected.type().ToString();
  }
  double worst = 0;
  int64_t first_bad = -1;
  for (int64_t i = 0; i < actual.num_elements(); ++i) {
    const double a = actual.GetDouble(i);
    const double e = expected.GetDouble(i);
    const double error = std::abs(a - e) / std::max(1.0, std::abs(e));
    if (!(error <= tolerance) && !(std::isnan(a) && std::isnan(e))) {
      if (first_bad < 0) first_bad = i;
    }
    if (std::isfinite(error)) worst = std::max(worst, error);
  }
  if (first_bad < 0) return ::testing::AssertionSuccess() << "largest difference " << worst;
  return ::testing::AssertionFailure()
         << "element " << first_bad << ": " << actual.GetDouble(first_bad) << " vs expected "
         << expected.GetDouble(first_bad) << " (largest relative difference " << worst
         << ", tolerance " << tolerance << ")";
}

}  // namespace dlc::onnx_test
