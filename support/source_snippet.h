// Shows where in a source text a diagnostic points: the line, and a caret
// under the column. Shared by the IR parser and the .dl front end.
#ifndef DLC_SUPPORT_SOURCE_SNIPPET_H_
#define DLC_SUPPORT_SOURCE_SNIPPET_H_

#include <string>
#include <string_view>

namespace dlc {

// "  %y = add(%x)\n       ^" (line and col are 1-based; `width` > 1 draws
// ^~~~ under that many columns). Empty when `line` is outside `text` or blank.
std::string SourceSnippet(std::string_view text, int line, int col, int width = 1);

}  // namespace dlc

#endif  // DLC_SUPPORT_SOURCE_SNIPPET_H_
