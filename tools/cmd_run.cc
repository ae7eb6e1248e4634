// dlc run: evaluate a graph with the reference interpreter on data from files.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "ir/interpreter.h"
#include "ir/parser.h"
#include "runtime/idx.h"
#include "runtime/initializers.h"
#include "runtime/memory_check.h"
#include "support/status_macros.h"
#include "support/str_cat.h"
#include "tools/commands.h"
#include "tools/flags.h"

namespace dlc::tools {
namespace {

struct FeedSpec {
  std::string path;
  int64_t row = 0;
};

absl::StatusOr<std::map<std::string, FeedSpec>> ParseFeedSpecs(
    const std::vector<std::string>& specs) {
  std::map<std::string, FeedSpec> result;
  for (const std::string& spec : specs) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      return absl::InvalidArgumentError(
          StrCat("--input '", spec, "': expected NAME=FILE or NAME=FILE@ROW"));
    }
    FeedSpec feed{spec.substr(eq + 1), 0};
    if (const size_t at = feed.path.rfind('@'); at != std::string::npos) {
      if (!absl::SimpleAtoi(feed.path.substr(at + 1), &feed.row) || feed.row < 0) {
        return absl::InvalidArgumentError(
            StrCat("--input '", spec, "': the row after '@' must be a non-negative integer"));
      }
      feed.path.resize(at);
    }
    if (!result.emplace(spec.substr(0, eq), feed).second) {
      return absl::InvalidArgumentError(StrCat("--input gives ", spec.substr(0, eq), " twice"));
    }
  }
  return result;
}

// The rows [row, row + n) of `data` as a tensor of type `type`, where n is
// type's first dimension and each row holds the same number of elements.
absl::StatusOr<Tensor> TakeRows(const Tensor& data, const TensorType& type, int64_t row,
                                const std::string& what) {
  if (data.dtype() != type.dtype) {
    return absl::InvalidArgumentError(StrCat(what, " holds ", DTypeName(data.dtype()),
                                             " elements; ", type.ToString(), " is needed"));
  }
  const int64_t rows_needed = type.rank() == 0 ? 1 : type.shape[0];
  const int64_t row_size = rows_needed == 0 ? 0 : type.num_elements() / rows_needed;
  const int64_t data_rows = data.type().rank() == 0 ? 1 : data.shape()[0];
  const int64_t data_row_size = data_rows == 0 ? 0 : data.num_elements() / data_rows;
  if (data_row_size != row_size) {
    return absl::InvalidArgumentError(StrCat(what, " has rows of ", data_row_size, " elements (",
                                             data.type().ToString(), "); ", type.ToString(),
                                             " needs rows of ", row_size));
  }
  if (row + rows_needed > data_rows) {
    return absl::InvalidArgumentError(StrCat(what, " has ", data_rows, " rows; rows ", row, "..",
                                             row + rows_needed - 1, " are needed"));
  }
  Tensor result(type);
  const int64_t bytes = row_size * DTypeSize(type.dtype);
  std::copy_n(data.raw_data() + row * bytes, rows_needed * bytes, result.raw_data());
  return result;
}

absl::StatusOr<Feeds> LoadFeeds(const Graph& graph, const std::map<std::string, FeedSpec>& specs,
                                uint64_t seed, std::string& report) {
  for (const auto& [name, spec] : specs) {
    std::optional<ValueId> id = graph.Find(name);
    if (!id || (graph.node(*id).op != OpKind::kInput && graph.node(*id).op != OpKind::kParameter)) {
      return absl::InvalidArgumentError(
          StrCat("--input ", name, ": graph ", graph.name, " has no input or parameter %", name));
    }
  }
  Feeds feeds;
  int64_t initialised = 0, initialised_values = 0;
  for (const Node& node : graph.nodes) {
    if (node.op != OpKind::kInput && node.op != OpKind::kParameter) continue;
    auto spec = specs.find(node.name);
    if (spec != specs.end()) {
      DLC_ASSIGN_OR_RETURN(Tensor data, ReadIdx(spec->second.path));
      DLC_ASSIGN_OR_RETURN(Tensor value,
                           TakeRows(data, node.type, spec->second.row, StrCat(spec->second.path)));
      report += absl::StrFormat("%%%s: %s from %s, row %d\n", node.name, node.type.ToString(),
                                spec->second.path, spec->second.row);
      feeds.emplace(node.name, std::move(value));
    } else if (node.op == OpKind::kInput) {
      return absl::InvalidArgumentError(StrCat("input %", node.name, " (", node.type.ToString(),
                                               ") needs a value: --input=", node.name, "=FILE"));
    }
  }
  DLC_ASSIGN_OR_RETURN(Feeds params, InitializeParameters(graph, seed));
  for (auto& [name, value] : params) {
    if (feeds.contains(name)) continue;
    ++initialised;
    initialised_values += value.num_elements();
    feeds.emplace(name, std::move(value));
  }
  if (initialised > 0) {
    report +=
        absl::StrFormat("%d parameters (%d values) initialised by their initialisers, seed %d\n",
                        initialised, initialised_values, seed);
  }
  return feeds;
}

absl::Status Run(const std::string& path) {
  DLC_ASSIGN_OR_RETURN(Module module, ParseModuleFile(path));
  const std::string graph_name = absl::GetFlag(FLAGS_graph);
  const Graph* graph = nullptr;
  if (!graph_name.empty()) {
    graph = module.Find(graph_name);
    if (graph == nullptr) {
      return absl::InvalidArgumentError(StrCat(path, " has no graph named ", graph_name));
    }
  } else if (module.graphs.size() == 1) {
    graph = &module.graphs[0];
  } else {
    return absl::InvalidArgumentError(
        StrCat(path, " has ", module.graphs.size(), " graphs: choose one with --graph=NAME"));
  }

  DLC_RETURN_IF_ERROR(CheckGraphFitsInMemory(*graph));
  DLC_ASSIGN_OR_RETURN(auto specs, ParseFeedSpecs(absl::GetFlag(FLAGS_input)));
  std::string report;
  const int64_t seed = absl::GetFlag(FLAGS_seed).value_or(0);
  if (seed < 0)
    return absl::InvalidArgumentError(StrCat("--seed must not be negative, got ", seed));
  DLC_ASSIGN_OR_RETURN(Feeds feeds, LoadFeeds(*graph, specs, static_cast<uint64_t>(seed), report));

  const auto start = std::chrono::steady_clock::now();
  DLC_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, Interpret(*graph, feeds));
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

  std::printf("graph %s from %s\n%s", graph->name.c_str(), path.c_str(), report.c_str());
  std::printf("evaluated %d ops with the reference interpreter in %.1f ms\n\n", graph->size(), ms);
  for (size_t i = 0; i < outputs.size(); ++i) {
    std::printf("%%%s = %s\n", graph->node(graph->outputs[i]).name.c_str(),
                outputs[i].ToString().c_str());
  }
  return absl::OkStatus();
}

}  // namespace

int RunRun(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fprintf(
        stderr, "usage: dlc run FILE.ir [--graph=NAME] [--input=NAME=FILE[@ROW],...] [--seed=N]\n");
    return kExitUsage;
  }
  absl::Status status = Run(args[0]);
  if (!status.ok()) {
    std::fprintf(stderr, "dlc run: %s\n", std::string(status.message()).c_str());
    return kExitError;
  }
  return kExitOk;
}

}  // namespace dlc::tools
