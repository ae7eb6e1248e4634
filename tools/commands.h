// The dlc subcommands. Each takes the positional arguments after its name
// (flags are already parsed) and returns the process exit code.
#ifndef DLC_TOOLS_COMMANDS_H_
#define DLC_TOOLS_COMMANDS_H_

#include <string>
#include <vector>

namespace dlc::tools {

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;  // bad input: the message says what and where
inline constexpr int kExitUsage = 2;  // wrong command line
// Stopped by Ctrl-C (128 + SIGINT, as shells report it); what was done is saved.
inline constexpr int kExitInterrupted = 130;
// Stopped by SIGTERM (128 + SIGTERM); handled as Ctrl-C is.
inline constexpr int kExitTerminated = 143;

int RunOpt(const std::vector<std::string>& args);
int RunRun(const std::vector<std::string>& args);
int RunDump(const std::vector<std::string>& args);
int RunInspect(const std::vector<std::string>& args);
int RunTrain(const std::vector<std::string>& args);
int RunEval(const std::vector<std::string>& args);
int RunCompile(const std::vector<std::string>& args);
int RunPredict(const std::vector<std::string>& args);
int RunBench(const std::vector<std::string>& args);
int RunExport(const std::vector<std::string>& args);
int RunImport(const std::vector<std::string>& args);

}  // namespace dlc::tools

#endif  // DLC_TOOLS_COMMANDS_H_
