#include "ir/parser.h"

#include <cmath>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "ir/ir_lexer.h"
#include "ir/verifier.h"
#include "support/source_snippet.h"
#include "support/spelling.h"
#include "support/status_macros.h"
#include "support/str_cat.h"
#include "support/text_file.h"

namespace dlc {
namespace {

// An operand as written: resolved to a ValueId once the whole graph is read,
// so that a value used before its definition gets a precise message.
struct OperandRef {
  std::string name;
  IrTokenInfo token;
};

struct Statement {
  Node node;  // everything but operands
  std::vector<OperandRef> operands;
  IrTokenInfo name_token;
};

class Parser {
 public:
  Parser(std::string_view text, std::string_view filename)
      : text_(text), filename_(filename), lexer_(text) {
    Advance();
  }

  absl::StatusOr<Module> ParseModule() {
    Module module;
    while (token_.kind != IrToken::kEnd) {
      DLC_ASSIGN_OR_RETURN(Graph graph, ParseGraph());
      for (const Graph& other : module.graphs) {
        if (other.name == graph.name) {
          return ErrorAt(graph_name_token_, StrCat("graph ", graph.name, " is defined twice"));
        }
      }
      module.graphs.push_back(std::move(graph));
    }
    if (module.graphs.empty()) return ErrorAt(token_, "expected 'graph', got end of input");
    return module;
  }

 private:
  void Advance() { token_ = lexer_.Next(); }

  absl::Status ErrorAt(const IrTokenInfo& at, std::string_view message) {
    return ErrorAt(at.line, at.col, at.length, message);
  }
  absl::Status ErrorAt(int line, int col, int width, std::string_view message) {
    std::string snippet = SourceSnippet(text_, line, col, width);
    return absl::InvalidArgumentError(StrCat(filename_, ":", line, ":", col, ": error: ", message,
                                             snippet.empty() ? "" : "\n", snippet));
  }

  std::string Describe(const IrTokenInfo& token) {
    switch (token.kind) {
      case IrToken::kEnd: return "end of input";
      case IrToken::kValue: return StrCat("%", token.text);
      case IrToken::kString: return StrCat("\"", token.text, "\"");
      default: return StrCat("'", token.text, "'");
    }
  }

  // Consumes a token of `kind` or fails with "expected <what>, got <token>".
  absl::StatusOr<IrTokenInfo> Expect(IrToken kind, std::string_view what) {
    if (token_.kind == IrToken::kError) return ErrorAt(token_, token_.text);
    if (token_.kind != kind) {
      return ErrorAt(token_, StrCat("expected ", what, ", got ", Describe(token_)));
    }
    IrTokenInfo consumed = token_;
    Advance();
    return consumed;
  }

  bool Accept(IrToken kind) {
    if (token_.kind != kind) return false;
    Advance();
    return true;
  }

  bool AtKeyword(std::string_view word) const {
    return token_.kind == IrToken::kIdent && token_.text == word;
  }

  absl::StatusOr<Graph> ParseGraph() {
    if (!AtKeyword("graph")) {
      return ErrorAt(token_, StrCat("expected 'graph', got ", Describe(token_)));
    }
    Advance();
    DLC_ASSIGN_OR_RETURN(graph_name_token_, Expect(IrToken::kIdent, "a graph name"));
    DLC_RETURN_IF_ERROR(Expect(IrToken::kLBrace, "'{' to open the graph").status());

    std::vector<Statement> statements;
    while (!AtKeyword("return")) {
      if (token_.kind == IrToken::kRBrace || token_.kind == IrToken::kEnd) {
        return ErrorAt(token_, StrCat("expected 'return' to end graph ", graph_name_token_.text,
                                      ", got ", Describe(token_)));
      }
      DLC_ASSIGN_OR_RETURN(Statement statement, ParseStatement());
      statements.push_back(std::move(statement));
    }
    Advance();  // return
    std::vector<OperandRef> outputs;
    do {
      DLC_ASSIGN_OR_RETURN(IrTokenInfo value, Expect(IrToken::kValue, "a value to return"));
      outputs.push_back({value.text, value});
    } while (Accept(IrToken::kComma));
    DLC_RETURN_IF_ERROR(Expect(IrToken::kRBrace, "'}' to close the graph").status());
    return BuildGraph(graph_name_token_.text, std::move(statements), outputs);
  }

  absl::StatusOr<Statement> ParseStatement() {
    Statement s;
    DLC_ASSIGN_OR_RETURN(s.name_token, Expect(IrToken::kValue, "a value definition (%name = ...)"));
    s.node.name = s.name_token.text;
    s.node.loc = {std::string(filename_), s.name_token.line, s.name_token.col};
    DLC_RETURN_IF_ERROR(Expect(IrToken::kEquals, "'='").status());

    DLC_ASSIGN_OR_RETURN(IrTokenInfo op_token, Expect(IrToken::kIdent, "an op name"));
    std::optional<OpKind> op = LookupOp(op_token.text);
    if (!op) {
      std::vector<std::string_view> names = AllOpNames();
      std::optional<std::string> near = ClosestName(op_token.text, names);
      return ErrorAt(op_token, StrCat("unknown op '", op_token.text, "'",
                                      near ? StrCat("; did you mean '", *near, "'?") : ""));
    }
    s.node.op = *op;

    DLC_RETURN_IF_ERROR(Expect(IrToken::kLParen, "'(' after the op name").status());
    if (token_.kind != IrToken::kRParen) {
      do {
        DLC_ASSIGN_OR_RETURN(IrTokenInfo operand, Expect(IrToken::kValue, "an operand (%name)"));
        s.operands.push_back({operand.text, operand});
      } while (Accept(IrToken::kComma));
    }
    DLC_RETURN_IF_ERROR(Expect(IrToken::kRParen, "')' after the operands").status());

    if (Accept(IrToken::kLBrace)) {
      DLC_RETURN_IF_ERROR(ParseAttributes(*op, s.node.attrs));
    }
    FillDefaultAttributes(*op, s.node.attrs);
    for (const AttrSpec& spec : GetOpDef(*op).attrs) {
      if (!s.node.attrs.contains(std::string(spec.name))) {
        return ErrorAt(op_token, StrCat(op_token.text, " needs attribute '", spec.name, "' (",
                                        AttrKindName(spec.kind), ")"));
      }
    }
    DLC_RETURN_IF_ERROR(Expect(IrToken::kColon, "':' and the result type").status());
    DLC_ASSIGN_OR_RETURN(s.node.type, ParseType());
    return s;
  }

  // After '{': name=value pairs up to '}'.
  absl::Status ParseAttributes(OpKind op, Attributes& attrs) {
    const OpDef& def = GetOpDef(op);
    do {
      DLC_ASSIGN_OR_RETURN(IrTokenInfo name, Expect(IrToken::kIdent, "an attribute name"));
      const AttrSpec* spec = nullptr;
      std::vector<std::string_view> known;
      for (const AttrSpec& s : def.attrs) {
        known.push_back(s.name);
        if (s.name == name.text) spec = &s;
      }
      if (spec == nullptr) {
        std::optional<std::string> near = ClosestName(name.text, known);
        std::string hint = near            ? StrCat("; did you mean '", *near, "'?")
                           : known.empty() ? StrCat("; ", def.name, " takes no attributes")
                                           : "";
        return ErrorAt(name, StrCat("unknown attribute '", name.text, "' for ", def.name, hint));
      }
      if (attrs.contains(name.text)) {
        return ErrorAt(name, StrCat("attribute '", name.text, "' is given twice"));
      }
      DLC_RETURN_IF_ERROR(Expect(IrToken::kEquals, "'=' after the attribute name").status());
      const IrTokenInfo value_token = token_;
      list_tokens_.clear();
      DLC_ASSIGN_OR_RETURN(Attribute value, ParseAttributeValue());
      auto coerced = CoerceAttribute(value, spec->kind);
      if (!coerced.ok()) {
        DLC_RETURN_IF_ERROR(CheckIntegers(def, name.text, spec->kind, value_token));
        return ErrorAt(value_token, StrCat("attribute '", name.text, "' of ", def.name, ": ",
                                           coerced.status().message()));
      }
      attrs.emplace(name.text, *std::move(coerced));
    } while (Accept(IrToken::kComma));
    return Expect(IrToken::kRBrace, "',' or '}' after an attribute").status();
  }

  // Sizes, strides, axes and paddings are integers: a number that is not
  // one (nan, inf, 2.5) is an error at that number, saying so.
  absl::Status CheckIntegers(const OpDef& def, std::string_view attr, AttrKind kind,
                             const IrTokenInfo& value_token) {
    if (kind != AttrKind::kInt && kind != AttrKind::kInts && kind != AttrKind::kPadding) {
      return absl::OkStatus();
    }
    std::vector<IrTokenInfo> numbers = list_tokens_;
    if (value_token.kind == IrToken::kFloat) numbers = {value_token};
    for (const IrTokenInfo& number : numbers) {
      if (number.kind != IrToken::kFloat) continue;
      const double v = number.float_value;
      const std::string why = std::isfinite(v) ? StrCat(number.text, " is not an integer")
                                               : StrCat(FormatDouble(v), " is not a finite number");
      return ErrorAt(
          number, StrCat("attribute '", attr, "' of ", def.name, " takes finite integers; ", why));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Attribute> ParseAttributeValue() {
    const IrTokenInfo t = token_;
    switch (t.kind) {
      case IrToken::kInt: Advance(); return Attribute(t.int_value);
      case IrToken::kFloat: Advance(); return Attribute(t.float_value);
      case IrToken::kString: Advance(); return Attribute(t.text);
      case IrToken::kLBracket: return ParseList();
      case IrToken::kIdent:
        Advance();
        if (t.text == "true") return Attribute(true);
        if (t.text == "false") return Attribute(false);
        if (std::optional<DType> dtype = ParseDType(t.text)) return Attribute(*dtype);
        return ErrorAt(t, StrCat("expected an attribute value, got '", t.text, "'"));
      case IrToken::kError: return ErrorAt(t, t.text);
      default: return ErrorAt(t, StrCat("expected an attribute value, got ", Describe(t)));
    }
  }

  // [1,2,3] is an int list; a list with any float in it is a float list.
  absl::StatusOr<Attribute> ParseList() {
    Advance();  // [
    IntList ints;
    FloatList floats;
    bool any_float = false;
    if (token_.kind != IrToken::kRBracket) {
      do {
        list_tokens_.push_back(token_);
        if (token_.kind == IrToken::kInt) {
          ints.push_back(token_.int_value);
          floats.push_back(static_cast<double>(token_.int_value));
        } else if (token_.kind == IrToken::kFloat) {
          any_float = true;
          floats.push_back(token_.float_value);
        } else if (token_.kind == IrToken::kError) {
          return ErrorAt(token_, token_.text);
        } else {
          return ErrorAt(token_, StrCat("expected a number in the list, got ", Describe(token_)));
        }
        Advance();
      } while (Accept(IrToken::kComma));
    }
    DLC_RETURN_IF_ERROR(Expect(IrToken::kRBracket, "',' or ']' in the list").status());
    if (any_float) return Attribute(std::move(floats));
    return Attribute(std::move(ints));
  }

  absl::StatusOr<TensorType> ParseType() {
    DLC_ASSIGN_OR_RETURN(IrTokenInfo dtype_token,
                         Expect(IrToken::kIdent, "an element type (f32, f64, i32, u8, i1)"));
    std::optional<DType> dtype = ParseDType(dtype_token.text);
    if (!dtype) {
      return ErrorAt(dtype_token, StrCat("unknown element type '", dtype_token.text,
                                         "' (expected f32, f64, i32, u8 or i1)"));
    }
    TensorType type{*dtype, {}};
    DLC_RETURN_IF_ERROR(Expect(IrToken::kLBracket, "'[' and the shape").status());
    if (token_.kind != IrToken::kRBracket) {
      do {
        DLC_ASSIGN_OR_RETURN(IrTokenInfo dim, Expect(IrToken::kInt, "a dimension"));
        if (dim.int_value < 0) return ErrorAt(dim, "a dimension must not be negative");
        type.shape.push_back(dim.int_value);
      } while (Accept(IrToken::kComma));
    }
    DLC_RETURN_IF_ERROR(Expect(IrToken::kRBracket, "',' or ']' in the shape").status());
    return type;
  }

  // Resolves operand names and checks every node, in order.
  absl::StatusOr<Graph> BuildGraph(const std::string& name, std::vector<Statement> statements,
                                   const std::vector<OperandRef>& outputs) {
    Graph graph;
    graph.name = name;
    absl::flat_hash_map<std::string, ValueId> ids;
    for (size_t i = 0; i < statements.size(); ++i) {
      const Statement& s = statements[i];
      auto [it, inserted] = ids.emplace(s.node.name, static_cast<ValueId>(i));
      if (!inserted) {
        return ErrorAt(s.name_token, StrCat("value %", s.node.name, " is already defined at line ",
                                            statements[it->second].name_token.line));
      }
    }
    auto resolve = [&](const OperandRef& ref, ValueId user) -> absl::StatusOr<ValueId> {
      auto it = ids.find(ref.name);
      if (it == ids.end()) return ErrorAt(ref.token, StrCat("undefined value %", ref.name));
      if (it->second >= user) {
        return ErrorAt(ref.token, StrCat("value %", ref.name, " is used before its definition",
                                         " at line ", statements[it->second].name_token.line));
      }
      return it->second;
    };
    for (size_t i = 0; i < statements.size(); ++i) {
      Node node = std::move(statements[i].node);
      for (const OperandRef& ref : statements[i].operands) {
        DLC_ASSIGN_OR_RETURN(ValueId operand, resolve(ref, static_cast<ValueId>(i)));
        node.operands.push_back(operand);
      }
      graph.nodes.push_back(std::move(node));
      DLC_RETURN_IF_ERROR(CheckNode(graph, static_cast<ValueId>(i), statements[i].name_token));
    }
    for (const OperandRef& ref : outputs) {
      DLC_ASSIGN_OR_RETURN(ValueId out, resolve(ref, graph.size()));
      graph.outputs.push_back(out);
    }
    return graph;
  }

  // The node's declared type must be what its op gives for its operands.
  absl::Status CheckNode(const Graph& graph, ValueId id, const IrTokenInfo& at) {
    auto inferred = InferNodeType(graph, id);
    if (!inferred.ok()) {
      return ErrorAt(at, StrCat(DescribeWithoutLoc(graph, id), ": ",
                                StripNodePrefix(inferred.status().message(), graph, id)));
    }
    if (*inferred != graph.type(id)) {
      return ErrorAt(
          at, StrCat(DescribeWithoutLoc(graph, id), ": declared type ", graph.type(id).ToString(),
                     " does not match the type its ", "operands give, ", inferred->ToString()));
    }
    return absl::OkStatus();
  }

  static std::string DescribeWithoutLoc(const Graph& graph, ValueId id) {
    return StrCat("%", graph.node(id).name, " = ", OpName(graph.node(id).op));
  }

  // InferNodeType's messages start with the node's location and description,
  // which the parser shows in its own format.
  static std::string StripNodePrefix(absl::string_view message, const Graph& graph, ValueId id) {
    std::string prefix = DescribeNode(graph, id) + ": ";
    if (message.substr(0, prefix.size()) == prefix) message.remove_prefix(prefix.size());
    return std::string(message);
  }

  std::string_view text_;
  std::string_view filename_;
  IrLexer lexer_;
  IrTokenInfo token_;
  IrTokenInfo graph_name_token_;
  std::vector<IrTokenInfo> list_tokens_;  // the numbers of the last list attribute, for errors
};

}  // namespace

absl::StatusOr<Module> ParseModule(std::string_view text, std::string_view filename) {
  Parser parser(text, filename);
  DLC_ASSIGN_OR_RETURN(Module module, parser.ParseModule());
  // Every node was checked while parsing; this adds the graph-level rules.
  DLC_RETURN_IF_ERROR(VerifyModule(module));
  return module;
}

absl::StatusOr<Module> ParseModuleFile(const std::string& path) {
  DLC_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  return ParseModule(text, path);
}

}  // namespace dlc
