#include "ir/graph.h"

#include "support/str_cat.h"

namespace dlc {

std::string SourceLoc::ToString() const {
  if (!known()) return "<unknown>";
  return StrCat(file.empty() ? "<input>" : file, ":", line, ":", col);
}

std::vector<ValueId> Graph::NodesOf(OpKind op) const {
  std::vector<ValueId> ids;
  for (ValueId id = 0; id < size(); ++id) {
    if (nodes[id].op == op) ids.push_back(id);
  }
  return ids;
}

std::optional<ValueId> Graph::Find(std::string_view value_name) const {
  for (ValueId id = 0; id < size(); ++id) {
    if (nodes[id].name == value_name) return id;
  }
  return std::nullopt;
}

const Graph* Module::Find(std::string_view graph_name) const {
  for (const Graph& g : graphs) {
    if (g.name == graph_name) return &g;
  }
  return nullptr;
}

}  // namespace dlc
