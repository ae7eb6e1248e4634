#include "frontend/ast.h"

#include "absl/strings/str_join.h"
#include "support/str_cat.h"

namespace dlc::dl {
namespace {

std::string At(const Span& span) { return StrCat(" @", span.line, ":", span.col); }

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

void PrintExprTree(const Expr& e, int indent, const std::string& label, std::string& out) {
  const std::string pad(indent, ' ');
  out += pad + label;
  switch (e.kind) {
    case Expr::Kind::kNumber: out += StrCat("Number ", e.text, At(e.span), "\n"); return;
    case Expr::Kind::kError: out += StrCat("Error", At(e.span), "\n"); return;
    case Expr::Kind::kString: out += StrCat("String ", Quote(e.text), At(e.span), "\n"); return;
    case Expr::Kind::kName: out += StrCat("Name ", e.text, At(e.span), "\n"); return;
    case Expr::Kind::kList:
      out += StrCat("List", At(e.span), "\n");
      for (const Expr& item : e.items) PrintExprTree(item, indent + 2, "", out);
      return;
    case Expr::Kind::kCall:
      out += StrCat("Call ", e.text, At(e.span), "\n");
      for (const Argument& arg : e.args) {
        PrintExprTree(arg.value, indent + 2, arg.keyword.empty() ? "" : arg.keyword + "=", out);
      }
      return;
  }
}

}  // namespace

const Model* Program::FindModel(std::string_view name) const {
  for (const Model& m : models) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

const TrainSection* Program::FindTrain(std::string_view model) const {
  for (const TrainSection& t : trains) {
    if (t.model == model) return &t;
  }
  return nullptr;
}

std::string PrintExpr(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kNumber:
    case Expr::Kind::kName: return e.text;
    case Expr::Kind::kError: return "<error>";
    case Expr::Kind::kString: return Quote(e.text);
    case Expr::Kind::kList:
      return StrCat(
          "[",
          absl::StrJoin(e.items, ", ",
                        [](std::string* out, const Expr& item) { out->append(PrintExpr(item)); }),
          "]");
    case Expr::Kind::kCall:
      return StrCat(e.text, "(",
                    absl::StrJoin(e.args, ", ",
                                  [](std::string* out, const Argument& a) {
                                    if (!a.keyword.empty()) out->append(a.keyword + "=");
                                    out->append(PrintExpr(a.value));
                                  }),
                    ")");
  }
  return "";
}

std::string PrintAst(const Program& program) {
  std::string out = StrCat("Program ", Quote(program.path), "\n");
  for (const Model& m : program.models) {
    out += StrCat("  Model ", m.name, At(m.name_span), "\n");
    for (const ModelInput& in : m.inputs) {
      out += StrCat("    Input ", in.name, ": ", DTypeName(in.dtype), "[",
                    absl::StrJoin(in.shape, ", "), "]", At(in.name_span), "\n");
    }
    for (const Assignment& a : m.body) {
      out += StrCat("    Assign ", a.name, At(a.name_span), "\n");
      PrintExprTree(a.value, 6, "", out);
    }
    out += StrCat("    Return", At(m.return_span), "\n");
    for (const Expr& r : m.results) PrintExprTree(r, 6, "", out);
  }
  for (const TrainSection& t : program.trains) {
    out += StrCat("  Train ", t.model, At(t.model_span), "\n");
    for (const Setting& s : t.settings) {
      out += StrCat("    Setting ", s.key, At(s.key_span), "\n");
      PrintExprTree(s.value, 6, "", out);
    }
  }
  return out;
}

}  // namespace dlc::dl
