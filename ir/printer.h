// The tensor IR's text form. For example:
//
//   graph mlp {
//     %x = input() : f32[32,784]
//     %dense.kernel = parameter() {init="glorot_uniform"} : f32[784,10]
//     %logits = matmul(%x, %dense.kernel) : f32[32,10]
//     return %logits
//   }
//
// Attributes equal to their op's default are not printed. The parser
// (ir/parser.h) reads this back: parse(print(g)) prints identically.
#ifndef DLC_IR_PRINTER_H_
#define DLC_IR_PRINTER_H_

#include <string>

#include "ir/graph.h"

namespace dlc {

std::string PrintNode(const Graph& graph, ValueId id);  // one line, no indent
std::string PrintGraph(const Graph& graph);
std::string PrintModule(const Module& module);  // graphs separated by a blank line

// Graphviz: one box per node (op, attributes, type), edges for operands.
std::string GraphToDot(const Graph& graph);

}  // namespace dlc

#endif  // DLC_IR_PRINTER_H_
