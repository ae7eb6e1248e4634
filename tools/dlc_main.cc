// dlc: the command-line entry point. Parses flags, dispatches to a command.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <new>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_split.h"
#include "support/spelling.h"
#include "support/str_cat.h"
#include "tools/commands.h"

namespace {

// absl prints "dlc: " before it for --help; dlc's own help does the same.
constexpr char kUsage[] =
    "a deep-learning compiler for CPU training\n"
    "\n"
    "usage: dlc <command> [flags] [files]\n"
    "\n"
    "commands:\n"
    "  opt FILE.ir [--format=text|dot] [--emit=ir|loops|llvm] [--passes=a,b,c]\n"
    "      parse and verify tensor IR, print it back (canonical text or Graphviz);\n"
    "      or lower it and run the named loop passes (--passes), printing the loops\n"
    "      or the optimized LLVM IR: each compile step on its own\n"
    "  run FILE.ir [--graph=NAME] [--input=NAME=FILE[@ROW],...] [--seed=N]\n"
    "      evaluate a graph with the reference interpreter; inputs come from IDX\n"
    "      files (plain or .gz), parameters not given are initialised by seed\n"
    "  dump MODEL.dl --stage=ast|ir|grad|opt|fused|loops|llvm|asm [--format=text|dot]\n"
    "                [--batch=N]\n"
    "      print a model at one stage: its syntax tree, forward tensor IR, training\n"
    "      step (as built, or after the graph steps), its fusion plan, scheduled\n"
    "      loops, optimized LLVM IR or this CPU's assembly\n"

    "  inspect MODEL.dl [--batch=N] [--model=NAME]\n"
    "      the data-flow table: shapes, operations, parameters, FLOPs, memory\n"
    "  train MODEL.dl [--epochs=N --batch=N --lr=X --seed=N --limit=N --no-shuffle\n"
    "                 --init=FILE --save=FILE --checkpoint-every=N --resume=FILE\n"
    "                 --log=FILE.csv|.jsonl --plot=FILE.svg --quiet\n"
    "                 --backend=jit|interp --threads=N]\n"
    "      train the model on its train section's data; per-epoch loss and accuracy,\n"
    "      then test loss and accuracy, the epoch table and a loss chart. Ctrl-C\n"
    "      stops after the current step and saves the run (--save) for --resume\n"
    "  eval MODEL.dl --init=FILE\n"
    "      test loss and accuracy of saved parameters\n"
    "  compile MODEL.dl -o FILE [--header=FILE.h] [--emit=obj|asm|llvm|loops|ir]\n"
    "                 [--target-cpu=CPU --mattr=FEATURES] [--batch=N] [--model=NAME]\n"
    "      ahead of time: <model>_train_step, _eval_step and _predict in one object\n"
    "      file (or as text) for this CPU or --target-cpu, and a C header that\n"
    "      documents their arguments\n"
    "  predict MODEL.dl --init=FILE (--index=N | --image=FILE.idx[.gz]@ROW)\n"
    "      one sample through the trained model, layer by layer: the input drawn,\n"
    "      each layer's output statistics, the class probabilities and the verdict\n"
    "  bench MODEL.dl [--batch=N --threads=N --repeats=N --steps=N --kernels --json\n"
    "                 --no-predict]\n"
    "      steady-state training and prediction throughput (images/s, ms per step:\n"
    "      median, min and max of timed repeats after a warm-up), GFLOP/s and the\n"
    "      share of this machine's peak, measured by a generated FMA loop; with\n"
    "      --kernels, each kernel of the training step: time, GFLOP/s, bytes moved\n"
    "  import MODEL.onnx [-o MODEL.dl] [--weights=FILE] [--data=IMAGES,LABELS]\n"
    "                 [--test=IMAGES,LABELS]\n"
    "      an ONNX model (opsets 11-17) as a readable .dl file, its weights as a\n"
    "      safetensors file beside it (start training from them with --init); NCHW\n"
    "      becomes NHWC. train, eval, predict, dump, inspect, compile and bench also\n"
    "      take a .onnx file directly (with its own weights; --data/--test name its data)\n"
    "  export MODEL.dl --init=FILE -o FILE.onnx [--model=NAME]\n"
    "      the trained model's prediction function as an ONNX model (opset 13):\n"
    "      the model's input as written in the .dl file (NHWC, symbolic batch),\n"
    "      output 'probabilities', the weights as initializers; checked by onnx::checker\n"
    "  help [COMMAND]\n"
    "      this text, or one command's usage and flags (also: dlc COMMAND --help)\n"
    "\n"
    "Commands that compile also take --print-after=STEP,... --print-after-all\n"
    "--time-passes --verify-each --noregister_tiles (passes/pipeline.h), and\n"
    "--schedule=KEY=VALUE,... to override the host model and the schedule's\n"
    "knobs (passes/schedule_knobs.h).\n";

struct Command {
  const char* name;
  int (*run)(const std::vector<std::string>&);
};

constexpr Command kCommands[] = {
    {"opt", dlc::tools::RunOpt},         {"run", dlc::tools::RunRun},
    {"dump", dlc::tools::RunDump},       {"inspect", dlc::tools::RunInspect},
    {"train", dlc::tools::RunTrain},     {"eval", dlc::tools::RunEval},
    {"compile", dlc::tools::RunCompile}, {"predict", dlc::tools::RunPredict},
    {"bench", dlc::tools::RunBench},     {"import", dlc::tools::RunImport},
    {"export", dlc::tools::RunExport},
};

// Flags may be written with dashes (--no-shuffle); absl names them with
// underscores (--no_shuffle).
std::vector<std::string> NormalizeFlagNames(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  for (std::string& arg : args) {
    if (arg == "--") break;
    if (arg.rfind("--", 0) != 0) continue;
    const size_t end = std::min(arg.find('='), arg.size());
    for (size_t i = 2; i < end; ++i) {
      if (arg[i] == '-') arg[i] = '_';
    }
  }
  return args;
}

// dlc's own flags (tools/flags.cc, tools/pipeline_flags.cc), not absl's.
bool IsDlcFlag(const absl::CommandLineFlag& flag) {
  return flag.Filename().ends_with("tools/flags.cc") ||
         flag.Filename().ends_with("tools/pipeline_flags.cc");
}

// The flags among `args` (dashes already normalised), up to a "--": each
// one's position in `args` and its name ("-x=1" and "--x" name x).
std::vector<std::pair<size_t, std::string>> FlagArgs(const std::vector<std::string>& args) {
  std::vector<std::pair<size_t, std::string>> flags;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    const size_t start = arg[1] == '-' ? 2 : 1;
    flags.emplace_back(i, arg.substr(start, arg.find('=') - start));
  }
  return flags;
}

// A flag no command takes, told with a suggestion and dlc's usage exit
// code (absl's parser would print a terse message and exit with 1). Checks
// `args` (dashes already normalised); `original` is what the user typed.
std::optional<std::string> UnknownFlag(const std::vector<std::string>& args, char** original) {
  for (const auto& [i, name] : FlagArgs(args)) {
    // absl's own usage flags are handled by its parser, not registered.
    static const std::set<std::string> kUsageFlags = {"help",        "helpfull",       "helpshort",
                                                      "helppackage", "helpon",         "helpmatch",
                                                      "version",     "only_check_args"};
    if (name.empty() || kUsageFlags.contains(name) || absl::FindCommandLineFlag(name) != nullptr) {
      continue;
    }
    if (name.starts_with("no")) {  // --nofoo turns a boolean --foo off
      const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name.substr(2));
      if (flag != nullptr && flag->IsOfType<bool>()) continue;
    }
    std::vector<std::string> ours;
    for (const auto& [flag_name, flag] : absl::GetAllFlags()) {
      if (IsDlcFlag(*flag)) ours.emplace_back(flag_name);
    }
    std::vector<std::string_view> candidates(ours.begin(), ours.end());
    std::string message = dlc::StrCat("dlc: unknown flag '", std::string(original[i]), "'");
    if (std::optional<std::string> close = dlc::ClosestName(name, candidates)) {
      std::replace(close->begin(), close->end(), '_', '-');
      message += dlc::StrCat("; did you mean --", *close, "?");
    }
    return message + " ('dlc help' lists the commands and their flags)\n";
  }
  return std::nullopt;
}

// The commands a flag belongs to: its help starts with them, "train, eval:
// ..." (empty: a flag of every command), and the rest of its help.
std::pair<std::vector<std::string>, std::string> FlagCommands(const absl::CommandLineFlag& flag) {
  const std::string help = flag.Help();
  const size_t colon = help.find(": ");
  if (colon == std::string::npos) return {{}, help};
  std::vector<std::string> commands;
  for (absl::string_view piece : absl::StrSplit(help.substr(0, colon), ", ")) {
    const bool word = !piece.empty() && std::all_of(piece.begin(), piece.end(), [](char c) {
      return std::islower(static_cast<unsigned char>(c));
    });
    if (!word) return {{}, help};
    commands.emplace_back(piece);
  }
  return {commands, help.substr(colon + 2)};
}

// The registered flags `args` (dashes already normalised) give, by name
// (--nofoo gives foo).
std::vector<const absl::CommandLineFlag*> GivenFlags(const std::vector<std::string>& args) {
  std::vector<const absl::CommandLineFlag*> given;
  for (const auto& [i, name] : FlagArgs(args)) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && name.starts_with("no")) flag = absl::FindCommandLineFlag(name.substr(2));
    if (flag != nullptr) given.push_back(flag);
  }
  return given;
}

// Flags given on the command line (`given`) that `command` does not take:
// mistakes the command would otherwise silently ignore.
std::optional<std::string> FlagNotFor(const std::string& command,
                                      const std::vector<const absl::CommandLineFlag*>& given) {
  std::vector<std::string> wrong;
  for (const absl::CommandLineFlag* flag : given) {
    if (!IsDlcFlag(*flag)) continue;
    const std::string name(flag->Name());
    const std::vector<std::string> commands = FlagCommands(*flag).first;
    if (commands.empty() || std::find(commands.begin(), commands.end(), command) != commands.end())
      continue;
    std::string dashed(name);
    std::replace(dashed.begin(), dashed.end(), '_', '-');
    std::string for_whom;
    for (const std::string& c : commands) for_whom += dlc::StrCat(for_whom.empty() ? "" : ", ", c);
    wrong.push_back(dlc::StrCat("dlc ", command, ": --", dashed, " is not a flag of '", command,
                                "' (it is for: ", for_whom, ")\n"));
  }
  if (wrong.empty()) return std::nullopt;
  std::sort(wrong.begin(), wrong.end());
  wrong.erase(std::unique(wrong.begin(), wrong.end()), wrong.end());
  std::string message;
  for (const std::string& line : wrong) message += line;
  return dlc::StrCat(message, "('dlc help ", command, "' lists the flags it takes)\n");
}

// `dlc help CMD` and `dlc CMD --help`: the command's lines of the usage
// text, then the flags it takes (a flag's help starts with the commands it
// belongs to, "train, eval: ..."; flags without such a prefix are common).
std::optional<std::string> CommandHelp(std::string_view command) {
  const std::string usage = kUsage;
  const std::string head = dlc::StrCat("\n  ", std::string(command), " ");
  size_t begin = usage.find(head);
  if (begin == std::string::npos)
    begin = usage.find(dlc::StrCat("\n  ", std::string(command), "\n"));
  if (begin == std::string::npos) return std::nullopt;
  ++begin;
  size_t end = begin;
  while (true) {  // up to the next command's line ("  name" at column 2)
    end = usage.find('\n', end);
    if (end == std::string::npos || end + 3 >= usage.size() || usage[end + 3] == ' ') {
      if (end == std::string::npos) break;
      ++end;
      continue;
    }
    ++end;
    break;
  }
  std::string out = dlc::StrCat("usage:\n", usage.substr(begin, end - begin), "\nflags:\n");
  std::vector<std::pair<std::string, std::string>> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (!IsDlcFlag(*flag)) continue;
    const auto [commands, help] = FlagCommands(*flag);
    if (!commands.empty() && std::find(commands.begin(), commands.end(), command) == commands.end())
      continue;
    std::string dashed(name);
    std::replace(dashed.begin(), dashed.end(), '_', '-');
    flags.emplace_back(dashed, help);
  }
  std::sort(flags.begin(), flags.end());
  for (const auto& [name, help] : flags) out += dlc::StrCat("  --", name, "\n      ", help, "\n");
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  // `dlc CMD --help` / `dlc help CMD`: that command's usage and flags, exit 0.
  {
    std::vector<std::string_view> words(argv + 1, argv + argc);
    const bool asks = std::find(words.begin(), words.end(), "--help") != words.end() ||
                      std::find(words.begin(), words.end(), "-h") != words.end() ||
                      (!words.empty() && words[0] == "help" && words.size() == 2);
    for (std::string_view word : words) {
      if (!asks || word.starts_with("-") || word == "help") continue;
      if (std::optional<std::string> help = CommandHelp(word)) {
        std::fputs(help->c_str(), stdout);
        return dlc::tools::kExitOk;
      }
      std::fprintf(stderr, "dlc: unknown command '%s'\n\ndlc: %s", std::string(word).c_str(),
                   kUsage);
      return dlc::tools::kExitUsage;
    }
    if (asks) {
      std::printf("dlc: %s", kUsage);
      return dlc::tools::kExitOk;
    }
  }
  std::vector<std::string> normalized = NormalizeFlagNames(argc, argv);
  if (std::optional<std::string> unknown = UnknownFlag(normalized, argv)) {
    std::fputs(unknown->c_str(), stderr);
    return dlc::tools::kExitUsage;
  }
  std::vector<char*> pointers;
  for (std::string& arg : normalized) pointers.push_back(arg.data());
  std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(pointers.size()), pointers.data());
  if (positional.size() < 2) {
    std::fprintf(stderr, "dlc: %s", kUsage);
    return dlc::tools::kExitUsage;
  }
  const std::string command = positional[1];
  if (command == "help" || command == "--help") {
    std::printf("dlc: %s", kUsage);
    return dlc::tools::kExitOk;
  }
  std::vector<std::string> args(positional.begin() + 2, positional.end());
  for (const Command& c : kCommands) {
    if (command != c.name) continue;
    if (std::optional<std::string> wrong = FlagNotFor(command, GivenFlags(normalized))) {
      std::fputs(wrong->c_str(), stderr);
      return dlc::tools::kExitUsage;
    }
    // The library reports errors as values; an allocation that fails in a
    // container is the one exception left, and it ends with a message, not
    // an abort.
    try {
      return c.run(args);
    } catch (const std::bad_alloc&) {
      std::fprintf(stderr, "dlc %s: out of memory (a smaller --batch or model may help)\n", c.name);
      return dlc::tools::kExitError;
    }
  }
  std::fprintf(stderr, "dlc: unknown command '%s'\n\ndlc: %s", command.c_str(), kUsage);
  return dlc::tools::kExitUsage;
}
