// The syntax tree of a .dl file: models (inputs, named values, results) and
// training sections. It records what was written and where; meaning (which
// layer, which shape) is given by lowering (frontend/lower.h).
#ifndef DLC_FRONTEND_AST_H_
#define DLC_FRONTEND_AST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ir/dtype.h"
#include "ir/tensor_type.h"

namespace dlc::dl {

// A stretch of one line of the source: where a diagnostic points.
struct Span {
  int line = 0;
  int col = 0;
  int length = 1;
};

struct Argument;

// An expression: a number (1, 0.5, 1e-3, the rational 1/255, -2), a string,
// a name (a value, or a word such as relu or same), a call of a layer or
// setting (conv2d(h, filters=32)), or a list ([3, 3]). kError stands for a
// statement that did not parse: its name stays bound, so later uses of it
// are not reported again.
struct Expr {
  enum class Kind { kNumber, kString, kName, kCall, kList, kError };

  Kind kind = Kind::kNumber;
  Span span;
  double number = 0;           // kNumber
  bool is_integer = false;     // kNumber written without '.', exponent or '/'
  std::string text;            // kNumber as written; kString contents; kName; kCall callee
  std::vector<Argument> args;  // kCall
  std::vector<Expr> items;     // kList
};

// `value` or `keyword=value` in a call.
struct Argument {
  std::string keyword;  // empty for a positional argument
  Span keyword_span;
  Expr value;
};

// `name = value` in a model body.
struct Assignment {
  std::string name;
  Span name_span;
  Expr value;
};

// `x: u8[28, 28, 1]`: one sample's type; the batch dimension is implicit.
struct ModelInput {
  std::string name;
  Span name_span;
  DType dtype = DType::kF32;
  Shape shape;
  Span type_span;
};

struct Model {
  std::string name;
  Span name_span;
  std::vector<ModelInput> inputs;
  std::vector<Assignment> body;
  std::vector<Expr> results;  // after `return`
  Span return_span;
};

// `key = value` in a train section.
struct Setting {
  std::string key;
  Span key_span;
  Expr value;
};

struct TrainSection {
  std::string model;  // the model it trains
  Span model_span;
  std::vector<Setting> settings;
};

struct Program {
  std::string path;  // as given; relative data paths resolve against its folder
  std::string text;  // the source, for diagnostics
  std::vector<Model> models;
  std::vector<TrainSection> trains;

  const Model* FindModel(std::string_view name) const;
  const TrainSection* FindTrain(std::string_view model) const;
};

// The tree as indented text, for `dlc dump --stage=ast`.
std::string PrintAst(const Program& program);
std::string PrintExpr(const Expr& expr);  // as it would be written

}  // namespace dlc::dl

#endif  // DLC_FRONTEND_AST_H_
