#include "passes/schedule_knobs.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <optional>
#include <set>

#include "support/spelling.h"
#include "support/str_cat.h"
#include "support/str_split.h"

namespace dlc {
namespace {

enum class Unit { kCount, kBytes, kSwitch };

struct Knob {
  std::string_view key;
  Unit unit;
  int64_t min, max;
  std::string_view range;  // for messages, when more than [min, max]
  std::function<int64_t(const ScheduleOptions&)> get;
  std::function<void(ScheduleOptions&, int64_t)> set;
};

constexpr int64_t kMaxBytes = int64_t{1} << 40;

// "48 KiB", "2 MiB", "1536 B": in the largest exact binary unit.
std::string ExactBytes(int64_t bytes) {
  constexpr std::string_view kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (unit < 4 && bytes > 0 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return StrCat(bytes, " ", kUnits[unit]);
}

bool PowerOfTwo(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

const std::vector<Knob>& Knobs() {
  using S = ScheduleOptions;
  static const std::vector<Knob> knobs = {
      {"vector_bytes", Unit::kCount, 0, 128, "0 (no vectors) or a power of two from 8 to 128",
       [](const S& s) { return s.vector_bytes; },
       [](S& s, int64_t v) { s.vector_bytes = static_cast<int>(v); }},
      {"vector_registers", Unit::kCount, 4, 256, "", [](const S& s) { return s.vector_registers; },
       [](S& s, int64_t v) { s.vector_registers = static_cast<int>(v); }},
      {"l1_bytes", Unit::kBytes, 1024, kMaxBytes, "", [](const S& s) { return s.l1_bytes; },
       [](S& s, int64_t v) { s.l1_bytes = v; }},
      {"l2_bytes", Unit::kBytes, 1024, kMaxBytes, "", [](const S& s) { return s.l2_bytes; },
       [](S& s, int64_t v) { s.l2_bytes = v; }},
      {"l3_bytes", Unit::kBytes, 1024, kMaxBytes, "", [](const S& s) { return s.l3_bytes; },
       [](S& s, int64_t v) { s.l3_bytes = v; }},
      {"accumulate_in_registers", Unit::kSwitch, 0, 1, "",
       [](const S& s) { return int64_t{s.accumulate_in_registers}; },
       [](S& s, int64_t v) { s.accumulate_in_registers = v != 0; }},
      {"register_block", Unit::kCount, 0, 64, "0 or 1 (no blocking) to 64",
       [](const S& s) { return s.register_block; },
       [](S& s, int64_t v) { s.register_block = static_cast<int>(v); }},
      {"max_accumulators", Unit::kCount, 1, 256, "", [](const S& s) { return s.max_accumulators; },
       [](S& s, int64_t v) { s.max_accumulators = static_cast<int>(v); }},
      {"min_vector_extent", Unit::kCount, 1, 1 << 20, "",
       [](const S& s) { return s.min_vector_extent; },
       [](S& s, int64_t v) { s.min_vector_extent = v; }},
      {"min_reduction_to_split", Unit::kCount, 1, int64_t{1} << 50, "",
       [](const S& s) { return s.min_reduction_to_split; },
       [](S& s, int64_t v) { s.min_reduction_to_split = v; }},
      {"min_parallel_work", Unit::kCount, 0, int64_t{1} << 50, "0 (no parallel loops) or more",
       [](const S& s) { return s.min_parallel_work; },
       [](S& s, int64_t v) { s.min_parallel_work = v; }},
      {"register_tiles", Unit::kSwitch, 0, 1, "",
       [](const S& s) { return int64_t{s.register_tiles}; },
       [](S& s, int64_t v) { s.register_tiles = v != 0; }},
      {"pixel_tile", Unit::kCount, 0, 1024, "0 (as many as the registers hold) to 1024",
       [](const S& s) { return s.pixel_tile; }, [](S& s, int64_t v) { s.pixel_tile = v; }},
  };
  return knobs;
}

const Knob* FindKnob(std::string_view key) {
  for (const Knob& knob : Knobs()) {
    if (knob.key == key) return &knob;
  }
  return nullptr;
}

std::string RangeOf(const Knob& knob) {
  if (!knob.range.empty()) return std::string(knob.range);
  if (knob.unit == Unit::kSwitch) return "true or false (1 or 0)";
  if (knob.unit == Unit::kBytes)
    return StrCat("bytes from ", ExactBytes(knob.min), " to ", ExactBytes(knob.max),
                  " (K, M, G: KiB, MiB, GiB)");
  return StrCat("from ", knob.min, " to ", knob.max);
}

// `text` as the knob's value: an integer (with a size suffix for bytes), or
// a switch's true/false.
std::optional<int64_t> ParseValue(const Knob& knob, std::string_view text) {
  if (knob.unit == Unit::kSwitch) {
    if (text == "true" || text == "1") return 1;
    if (text == "false" || text == "0") return 0;
    return std::nullopt;
  }
  int64_t value = 0;
  const auto [rest, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || rest == text.data()) return std::nullopt;
  std::string_view unit(rest, static_cast<size_t>(text.data() + text.size() - rest));
  int shift = 0;
  if (knob.unit == Unit::kBytes && unit.size() == 1) {
    shift = unit == "K" || unit == "k"   ? 10
            : unit == "M" || unit == "m" ? 20
            : unit == "G" || unit == "g" ? 30
                                         : -1;
    if (shift < 0) return std::nullopt;
  } else if (!unit.empty()) {
    return std::nullopt;
  }
  if (value < 0 || value > (knob.max >> shift)) return std::nullopt;
  return value << shift;
}

// `value` as --schedule takes it: "512K", "true", "8".
std::string FlagValue(const Knob& knob, int64_t value) {
  if (knob.unit == Unit::kSwitch) return value != 0 ? "true" : "false";
  if (knob.unit == Unit::kCount || value <= 0) return StrCat(value);
  std::string_view suffix;
  for (std::string_view unit : {"K", "M", "G"}) {
    if (value % 1024 != 0) break;
    value /= 1024;
    suffix = unit;
  }
  return StrCat(value, suffix);
}

std::string JoinKeys() {
  std::string out;
  for (const Knob& knob : Knobs()) out += StrCat(out.empty() ? "" : ", ", knob.key);
  return out;
}

bool InRange(const Knob& knob, int64_t value) {
  if (value < knob.min || value > knob.max) return false;
  if (knob.key == "vector_bytes") return value == 0 || (value >= 8 && PowerOfTwo(value));
  return true;
}

}  // namespace

const std::vector<std::string_view>& ScheduleKeys() {
  static const std::vector<std::string_view> keys = [] {
    std::vector<std::string_view> out;
    for (const Knob& knob : Knobs()) out.push_back(knob.key);
    return out;
  }();
  return keys;
}

absl::Status ApplyScheduleOverrides(std::string_view spec, ScheduleOptions& options) {
  std::set<std::string_view> seen;
  for (const std::string_view item : SplitSkippingEmpty(spec, ',')) {
    const size_t equals = item.find('=');
    if (equals == std::string_view::npos) {
      return absl::InvalidArgumentError(
          StrCat("'", item, "' is not key=value (the keys: ", JoinKeys(), ")"));
    }
    // Dashes as in flag names: register-block is register_block.
    std::string key(item.substr(0, equals));
    std::replace(key.begin(), key.end(), '-', '_');
    const std::string_view text = item.substr(equals + 1);
    const Knob* knob = FindKnob(key);
    if (knob == nullptr) {
      std::string message = StrCat("unknown key '", key, "'");
      if (std::optional<std::string> close = ClosestName(key, ScheduleKeys())) {
        message += StrCat("; did you mean ", *close, "?");
      }
      return absl::InvalidArgumentError(StrCat(message, " (the keys: ", JoinKeys(), ")"));
    }
    if (!seen.insert(knob->key).second) {
      return absl::InvalidArgumentError(StrCat("'", key, "' is given twice"));
    }
    const std::optional<int64_t> value = ParseValue(*knob, text);
    if (!value || !InRange(*knob, *value)) {
      return absl::InvalidArgumentError(
          StrCat(key, "=", text, ": ", key, " must be ", RangeOf(*knob)));
    }
    knob->set(options, *value);
  }
  return absl::OkStatus();
}

std::vector<std::pair<std::string_view, int64_t>> ScheduleValues(const ScheduleOptions& options) {
  std::vector<std::pair<std::string_view, int64_t>> values;
  for (const Knob& knob : Knobs()) values.emplace_back(knob.key, knob.get(options));
  return values;
}

std::string DescribeHostModel(std::string_view cpu, const ScheduleOptions& model,
                              const ScheduleOptions& used) {
  std::string out =
      StrCat(cpu, ", ", std::max(1, used.vector_bytes / 4), " f32 lanes, ", used.vector_registers,
             " vector registers, L1d ", ExactBytes(used.l1_bytes), ", L2 ",
             ExactBytes(used.l2_bytes), ", L3 ", ExactBytes(used.l3_bytes));
  std::string overrides;
  for (const Knob& knob : Knobs()) {
    if (knob.get(model) == knob.get(used)) continue;
    overrides +=
        StrCat(overrides.empty() ? "" : ", ", knob.key, "=", FlagValue(knob, knob.get(used)),
               " (model: ", FlagValue(knob, knob.get(model)), ")");
  }
  return StrCat(out, overrides.empty() ? "; no overrides" : StrCat("; overrides: ", overrides));
}

}  // namespace dlc
