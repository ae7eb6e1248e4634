// libFuzzer target: any text fed to the IR parser must give a module or an
// error, never a crash, hang or sanitizer report; and whatever parses must
// print, reparse and print again identically.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ir/parser.h"
#include "ir/printer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto module = dlc::ParseModule(text, "fuzz.ir");
  if (!module.ok()) return 0;
  const std::string printed = dlc::PrintModule(*module);
  auto reparsed = dlc::ParseModule(printed, "printed.ir");
  if (!reparsed.ok() || dlc::PrintModule(*reparsed) != printed) std::abort();
  return 0;
}
