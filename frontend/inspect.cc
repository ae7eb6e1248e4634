#include "frontend/inspect.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "frontend/layers.h"
#include "ir/cost.h"
#include "support/str_cat.h"

namespace dlc::dl {
namespace {

// The layer's familiar (Keras) name, for the Operation column.
std::string DisplayName(const std::string& layer) {
  if (layer == "input") return "Input";  // a model input, not a layer call
  const LayerDef* def = FindLayer(layer);
  return def == nullptr ? layer : std::string(def->display_name);
}

std::string ShapeText(const Shape& shape) { return absl::StrJoin(shape, "x"); }

}  // namespace

std::string StageTitle(const Stage& stage) {
  return StrCat(DisplayName(stage.layer), ": ", stage.description);
}

std::string WithThousands(int64_t n) {
  std::string digits = StrCat(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string HumanBytes(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? StrCat(bytes, " B") : absl::StrFormat("%.1f %s", value, units[unit]);
}

std::string HumanCount(int64_t n) {
  const char* suffixes[] = {"", "K", "M", "G", "T", "P"};
  double value = static_cast<double>(n);
  int s = 0;
  while (value >= 1000 && s < 5) {
    value /= 1000;
    ++s;
  }
  return s == 0 ? StrCat(n) : absl::StrFormat("%.1f%s", value, suffixes[s]);
}

std::vector<StageSummary> SummarizeStages(const LoweredModel& model) {
  const Graph& g = model.graph;
  std::vector<StageSummary> rows;
  for (const Stage& stage : model.stages) {
    StageSummary row;
    row.name = stage.name;
    row.operation = StageTitle(stage);
    for (ValueId in : stage.inputs) row.input_shapes.push_back(g.type(in).shape);
    row.output_shape = g.type(stage.output).shape;
    for (ValueId p : stage.parameters) row.parameters += g.type(p).num_elements();
    for (ValueId v : stage.values) row.flops += NodeFlops(g, v);
    row.activation_bytes = g.type(stage.output).byte_size();
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string DataFlowTable(const LoweredModel& model, std::string_view model_name) {
  const std::vector<StageSummary> rows = SummarizeStages(model);
  const std::vector<std::string> header = {
      "#", "Stage", "Input shape", "Operation", "Output shape", "Params", "FLOPs", "Memory"};
  std::vector<std::vector<std::string>> cells;
  int64_t params = 0, flops = 0, bytes = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const StageSummary& r = rows[i];
    std::vector<std::string> inputs;
    for (const Shape& s : r.input_shapes) inputs.push_back(ShapeText(s));
    cells.push_back({StrCat(i + 1), r.name, inputs.empty() ? "-" : absl::StrJoin(inputs, ", "),
                     r.operation, ShapeText(r.output_shape), WithThousands(r.parameters),
                     HumanCount(r.flops), HumanBytes(r.activation_bytes)});
    params += r.parameters;
    flops += r.flops;
    bytes += r.activation_bytes;
  }
  cells.push_back(
      {"", "total", "", "", "", WithThousands(params), HumanCount(flops), HumanBytes(bytes)});

  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : cells) width[c] = std::max(width[c], row[c].size());
  }
  // Numbers are right-aligned, words left-aligned.
  auto right = [](size_t c) { return c == 0 || c >= 5; };
  auto line = [&](const std::vector<std::string>& row) {
    std::string out;
    for (size_t c = 0; c < row.size(); ++c) {
      const std::string pad(width[c] - row[c].size(), ' ');
      out += (c == 0 ? "" : "  ") + (right(c) ? pad + row[c] : row[c] + pad);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  size_t total_width = 0;
  for (size_t w : width) total_width += w + 2;
  const std::string rule(total_width - 2, '-');

  const int64_t batch =
      model.graph.Inputs().empty() ? 0 : model.graph.type(model.graph.Inputs()[0]).shape[0];
  std::string out =
      StrCat("Model ", model_name, " - data flow, ", rows.size(), " stages, batch ", batch, "\n\n");
  out += line(header) + rule + "\n";
  for (size_t i = 0; i + 1 < cells.size(); ++i) out += line(cells[i]);
  out += rule + "\n" + line(cells.back());
  out += StrCat("\nParameters: ", WithThousands(params), " (", HumanBytes(params * 4),
                " as f32). Forward pass: ", HumanCount(flops), " FLOPs per batch, ",
                HumanCount(batch > 0 ? flops / batch : 0), " per sample.\n");
  return out;
}

}  // namespace dlc::dl
