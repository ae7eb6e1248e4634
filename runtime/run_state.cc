#include "runtime/run_state.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "support/status_macros.h"
#include "support/str_cat.h"
#include "support/str_split.h"

namespace dlc {
namespace {

template <typename T>
bool ParseWhole(std::string_view text, T& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

// %.17g: a double printed this way reads back as the same double.
std::string Exact(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

std::string EpochFields(const EpochStats& e) {
  return StrCat(e.epoch, " ", Exact(e.loss), " ", Exact(e.accuracy), " ", e.samples, " ", e.steps,
                " ", Exact(e.seconds));
}

std::string PartialFields(const PartialEpoch& p) {
  return StrCat(p.epoch, " ", p.steps, " ", p.samples, " ", Exact(p.loss_sum), " ", p.correct, " ",
                Exact(p.seconds));
}

// Reads one checkpoint's metadata values, naming the file and key in errors.
class MetadataReader {
 public:
  MetadataReader(const std::map<std::string, std::string>& metadata, std::string_view source)
      : metadata_(metadata), source_(source) {}

  absl::StatusOr<std::string> Get(const std::string& key) const {
    auto it = metadata_.find(key);
    if (it == metadata_.end()) {
      return absl::InvalidArgumentError(
          StrCat(source_, " has no '", key,
                 "' in its metadata: it was not saved by dlc train, so it "
                 "can start a new run (--init) but not continue one (--resume)"));
    }
    return it->second;
  }

  // `text` split at spaces, one field per letter of `pattern`: 'i' a
  // non-negative integer, 'd' any number.
  absl::StatusOr<std::vector<double>> Numbers(const std::string& key, std::string_view text,
                                              std::string_view pattern) const {
    std::vector<std::string_view> parts = SplitSkippingEmpty(text, ' ');
    std::vector<double> numbers;
    bool ok = parts.size() == pattern.size();
    for (size_t i = 0; ok && i < parts.size(); ++i) {
      if (pattern[i] == 'i') {
        int64_t v = 0;
        ok = ParseWhole(parts[i], v) && v >= 0;
        numbers.push_back(static_cast<double>(v));
      } else {
        double v = 0;
        ok = ParseWhole(parts[i], v);
        numbers.push_back(v);
      }
    }
    if (!ok) return Bad(key, text);
    return numbers;
  }

  absl::StatusOr<int64_t> Integer(const std::string& key) const {
    DLC_ASSIGN_OR_RETURN(std::string text, Get(key));
    int64_t v = 0;
    if (!ParseWhole(std::string_view(text), v) || v < 0) return Bad(key, text);
    return v;
  }

  // Batch size, samples per epoch and epochs asked for: a run has at least one.
  absl::StatusOr<int64_t> Positive(const std::string& key, std::string_view what) const {
    DLC_ASSIGN_OR_RETURN(int64_t v, Integer(key));
    if (v > 0) return v;
    return absl::InvalidArgumentError(
        StrCat(source_, ": metadata '", key, "' is 0, but a run's ", what,
               " is at least 1: the checkpoint is damaged and cannot be resumed (--init starts a "
               "new run from its weights)"));
  }

  absl::Status Bad(std::string_view key, std::string_view text) const {
    return absl::InvalidArgumentError(
        StrCat(source_, ": metadata '", key, "' is malformed: \"", text, "\""));
  }

 private:
  const std::map<std::string, std::string>& metadata_;
  std::string_view source_;
};

}  // namespace

void AddRunStateMetadata(const RunState& state, std::map<std::string, std::string>& metadata) {
  metadata["seed"] = StrCat(state.seed);
  metadata["batch"] = StrCat(state.batch);
  metadata["shuffle"] = state.shuffle ? "true" : "false";
  metadata["samples"] = StrCat(state.samples);
  metadata["total_epochs"] = StrCat(state.total_epochs);
  metadata["epochs"] = StrCat(state.epochs_done());
  std::string history;
  for (const EpochStats& e : state.epochs)
    history += StrCat(history.empty() ? "" : "\n", EpochFields(e));
  metadata["history"] = history;
  if (state.partial) metadata["epoch_in_progress"] = PartialFields(*state.partial);
}

absl::StatusOr<RunState> ReadRunStateMetadata(const std::map<std::string, std::string>& metadata,
                                              std::string_view source) {
  MetadataReader read(metadata, source);
  RunState state;
  DLC_ASSIGN_OR_RETURN(int64_t seed, read.Integer("seed"));
  state.seed = static_cast<uint64_t>(seed);
  DLC_ASSIGN_OR_RETURN(state.batch, read.Positive("batch", "batch size"));
  DLC_ASSIGN_OR_RETURN(state.samples, read.Positive("samples", "number of samples per epoch"));
  DLC_ASSIGN_OR_RETURN(state.total_epochs, read.Positive("total_epochs", "number of epochs"));
  DLC_ASSIGN_OR_RETURN(std::string shuffle, read.Get("shuffle"));
  if (shuffle != "true" && shuffle != "false") return read.Bad("shuffle", shuffle);
  state.shuffle = shuffle == "true";
  DLC_ASSIGN_OR_RETURN(int64_t epochs, read.Integer("epochs"));
  DLC_ASSIGN_OR_RETURN(std::string history, read.Get("history"));
  for (std::string_view line : SplitSkippingEmpty(history, '\n')) {
    DLC_ASSIGN_OR_RETURN(std::vector<double> f, read.Numbers("history", line, "iddiid"));
    EpochStats e;
    e.epoch = static_cast<int64_t>(f[0]);
    e.loss = f[1];
    e.accuracy = f[2];
    e.samples = static_cast<int64_t>(f[3]);
    e.steps = static_cast<int64_t>(f[4]);
    e.seconds = f[5];
    if (e.epoch != state.epochs_done() + 1) return read.Bad("history", line);
    state.epochs.push_back(e);
  }
  if (state.epochs_done() != epochs) {
    return absl::InvalidArgumentError(StrCat(source, ": metadata says ", epochs,
                                             " epochs were trained but its history has ",
                                             state.epochs_done()));
  }
  if (auto it = metadata.find("epoch_in_progress"); it != metadata.end()) {
    DLC_ASSIGN_OR_RETURN(std::vector<double> f,
                         read.Numbers("epoch_in_progress", it->second, "iiidid"));
    PartialEpoch p;
    p.epoch = static_cast<int64_t>(f[0]);
    p.steps = static_cast<int64_t>(f[1]);
    p.samples = static_cast<int64_t>(f[2]);
    p.loss_sum = f[3];
    p.correct = static_cast<int64_t>(f[4]);
    p.seconds = f[5];
    if (p.epoch != epochs + 1 || p.steps <= 0) return read.Bad("epoch_in_progress", it->second);
    state.partial = p;
  }
  return state;
}

}  // namespace dlc
