#include "tools/rank_agreement.h"

#include <cstdint>
#include <fstream>
#include <span>
#include <vector>

#include "ir/printer.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::tools {
namespace {

// FNV-1a, 64 bits: enough to tell different inputs apart, not a defence.
class Hash {
 public:
  void Add(std::span<const std::byte> bytes) {
    for (std::byte b : bytes) value_ = (value_ ^ static_cast<uint64_t>(b)) * 1099511628211ull;
  }
  void Add(std::string_view text) { Add(std::as_bytes(std::span(text.data(), text.size()))); }
  void Add(const Tensor& t) {
    Add(t.type().ToString());
    Add(std::span(t.raw_data(), static_cast<size_t>(t.byte_size())));
  }
  uint64_t value() const { return value_; }

 private:
  uint64_t value_ = 14695981039346656037ull;
};

// The running executable's bytes: two builds of dlc differ here.
uint64_t ExecutableHash() {
  std::ifstream file("/proc/self/exe", std::ios::binary);
  Hash hash;
  std::vector<char> buffer(1 << 16);
  while (file.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) ||
         file.gcount() > 0) {
    hash.Add(std::as_bytes(std::span(buffer.data(), static_cast<size_t>(file.gcount()))));
  }
  return hash.value();
}

}  // namespace

absl::Status CheckRanksAgree(distributed::Communicator& comm, const TrainingSetup& setup,
                             const LabeledImages& data) {
  DLC_RETURN_IF_ERROR(comm.CheckSame("dlc executable", ExecutableHash()));
  const dl::TrainConfig& c = setup.config;
  Hash step;
  step.Add(PrintGraph(setup.trainer->program().train_step));
  step.Add(StrCat(dl::DescribeOptimizer(c.optimizer), " batch ", c.batch, " seed ", c.seed,
                  " epochs ", c.epochs, " shuffle ", c.shuffle, " drop_remainder ",
                  c.drop_remainder));
  DLC_RETURN_IF_ERROR(
      comm.CheckSame("training step (model, optimizer, batch, seed or epochs)", step.value()));
  Hash weights;
  for (const auto& [name, value] : setup.trainer->parameters()) {
    weights.Add(name);
    weights.Add(value);
  }
  for (const auto& [name, value] : setup.trainer->optimizer_state()) {
    weights.Add(name);
    weights.Add(value);
  }
  DLC_RETURN_IF_ERROR(comm.CheckSame("starting parameters or optimizer state", weights.value()));
  Hash samples;
  samples.Add(data.images);
  samples.Add(data.labels);
  return comm.CheckSame("training data", samples.value());
}

}  // namespace dlc::tools
