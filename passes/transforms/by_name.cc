#include "passes/transforms/by_name.h"

#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "passes/transforms/interchange.h"
#include "passes/transforms/pack.h"
#include "passes/transforms/split.h"
#include "passes/transforms/tile.h"
#include "passes/transforms/unroll_and_jam.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::transforms {
namespace {

using loops::LoopProgram;
using loops::StmtId;

struct Form {
  std::string_view name;
  std::string_view usage;
};
constexpr Form kForms[] = {
    {"split", "split:LOOP:FACTOR"},
    {"interchange", "interchange:OUTER:INNER"},
    {"tile", "tile:LOOP=SIZE:LOOP=SIZE..."},
    {"pack", "pack:LOOP:%BUFFER"},
    {"unroll-and-jam", "unroll-and-jam:LOOP:FACTOR"},
};

// A parsed spec: its form and arguments; the loops as variable numbers.
struct Spec {
  const Form* form = nullptr;
  std::vector<loops::VarId> loops;
  std::vector<int64_t> numbers;  // factors or sizes
  std::string buffer;            // pack's, without the %
};

std::vector<std::string_view> SplitAt(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (size_t at; (at = text.find(separator)) != std::string_view::npos;
       text.remove_prefix(at + 1)) {
    parts.push_back(text.substr(0, at));
  }
  parts.push_back(text);
  return parts;
}

// The whole of `text` as a decimal integer.
template <typename T>
bool ParseInt(std::string_view text, T& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

std::optional<loops::VarId> LoopVar(std::string_view text) {
  loops::VarId var;
  if (text.size() < 2 || text[0] != 'i' || !ParseInt(text.substr(1), var) || var < 0)
    return std::nullopt;
  return var;
}

absl::StatusOr<Spec> Parse(std::string_view text) {
  const std::vector<std::string_view> parts = SplitAt(text, ':');
  Spec spec;
  for (const Form& form : kForms) {
    if (parts[0] == form.name) spec.form = &form;
  }
  if (spec.form == nullptr)
    return absl::InvalidArgumentError(StrCat("'", text, "' names no transformation"));
  const absl::Status malformed =
      absl::InvalidArgumentError(StrCat("'", text, "': expected ", spec.form->usage));
  const std::vector<std::string_view> args(parts.begin() + 1, parts.end());
  const std::string_view name = spec.form->name;
  if (name == "tile") {
    if (args.empty()) return malformed;
    for (std::string_view arg : args) {
      const std::vector<std::string_view> pair = SplitAt(arg, '=');
      int64_t size;
      std::optional<loops::VarId> var = pair.size() == 2 ? LoopVar(pair[0]) : std::nullopt;
      if (!var || !ParseInt(pair[1], size)) return malformed;
      spec.loops.push_back(*var);
      spec.numbers.push_back(size);
    }
    return spec;
  }
  if (args.size() != 2) return malformed;
  std::optional<loops::VarId> first = LoopVar(args[0]);
  if (!first) return malformed;
  spec.loops.push_back(*first);
  if (name == "interchange") {
    std::optional<loops::VarId> second = LoopVar(args[1]);
    if (!second) return malformed;
    spec.loops.push_back(*second);
  } else if (name == "pack") {
    if (args[1].size() < 2 || args[1][0] != '%') return malformed;
    spec.buffer = std::string(args[1].substr(1));
  } else {
    int64_t factor;
    if (!ParseInt(args[1], factor)) return malformed;
    spec.numbers.push_back(factor);
  }
  return spec;
}

// The loop a kernel reaches whose variable is `var`.
std::optional<StmtId> FindLoop(const LoopProgram& p, const std::vector<StmtId>& list,
                               loops::VarId var) {
  for (StmtId id : list) {
    if (p.stmt(id).kind == loops::StmtKind::kFor && p.stmt(id).var == var) return id;
    if (std::optional<StmtId> found = FindLoop(p, p.stmt(id).body, var)) return found;
  }
  return std::nullopt;
}

absl::Status Apply(LoopProgram& p, const Spec& spec) {
  std::vector<StmtId> loops;
  for (loops::VarId var : spec.loops) {
    std::optional<StmtId> found;
    for (const loops::Kernel& kernel : p.kernels) {
      if (!found) found = FindLoop(p, kernel.body, var);
    }
    if (!found) return absl::NotFoundError(StrCat("no loop i", var, " in the program"));
    loops.push_back(*found);
  }
  const std::string_view name = spec.form->name;
  if (name == "split") return Split(p, loops[0], spec.numbers[0]).status();
  if (name == "interchange") return Interchange(p, loops[0], loops[1]).status();
  if (name == "tile") return Tile(p, loops, spec.numbers).status();
  if (name == "unroll-and-jam") return UnrollAndJam(p, loops[0], spec.numbers[0]).status();
  for (loops::BufferId id = 0; id < static_cast<loops::BufferId>(p.buffers.size()); ++id) {
    if (p.buffer(id).name == spec.buffer) return Pack(p, loops[0], id).status();
  }
  return absl::NotFoundError(StrCat("no buffer %", spec.buffer, " in the program"));
}

}  // namespace

bool IsTransformSpec(std::string_view spec) {
  for (const Form& form : kForms) {
    if (spec.size() > form.name.size() && spec.substr(0, form.name.size()) == form.name &&
        spec[form.name.size()] == ':') {
      return true;
    }
  }
  return false;
}

absl::Status CheckTransformSpec(std::string_view spec) { return Parse(spec).status(); }

absl::Status ApplyTransformSpec(LoopProgram& program, std::string_view text) {
  DLC_ASSIGN_OR_RETURN(const Spec spec, Parse(text));
  absl::Status status = Apply(program, spec);
  if (status.ok()) return status;
  return absl::Status(status.code(), StrCat(text, ": ", status.message()));
}

}  // namespace dlc::transforms
