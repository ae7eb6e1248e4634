#include "tests/onnx/onnx_test_util.h"

#include <fstream>
#include <sstream>

#include "frontend/lower.h"
#include "frontend/parser.h"
#include "runtime/idx.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::onnx_test {

std::string ModelPath(const std::string& name) {
  return StrCat(DLC_SOURCE_DIR, "/tests/onnx/models/", name);
}

Expected ReadExpected(const std::string& name) {
  std::ifstream in(ModelPath(StrCat(name, ".expected.txt")));
  std::string line;
  std::getline(in, line);  // the comment
  Expected e;
  in >> e.rows >> e.cols;
  double v;
  while (in >> v) e.values.push_back(v);
  return e;
}

Tensor Digits(int64_t n) {
  absl::StatusOr<Tensor> images =
      ReadIdx(StrCat(DLC_SOURCE_DIR, "/examples/data/digits-test-images-idx3-ubyte.gz"));
  Tensor x(DType::kF32, {n, 28, 28, 1});
  if (!images.ok()) return x;
  for (int64_t i = 0; i < n * 28 * 28; ++i) x.SetDouble(i, images->GetDouble(i));
  return x;
}

absl::StatusOr<Tensor> Run(const onnx_import::ImportedModel& model, const Tensor& x,
                           Backend& backend) {
  DLC_ASSIGN_OR_RETURN(dl::Program program, dl::ParseProgramText(model.dl_text, "imported.dl"));
  DLC_ASSIGN_OR_RETURN(dl::LoweredModel lowered,
                       dl::LowerModel(program, model.model_name, {x.shape()[0], false}));
  Feeds feeds = model.weights;
  feeds[lowered.graph.node(lowered.graph.Inputs()[0]).name] = x;
  DLC_ASSIGN_OR_RETURN(std::unique_ptr<Executor> executor, backend.Compile(lowered.graph));
  DLC_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, executor->Run(feeds));
  return outputs[0];
}

::onnx::ModelProto NewModel(int64_t opset) {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("dlc test");
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  m.mutable_graph()->set_name("test");
  return m;
}

void AddInput(::onnx::GraphProto& g, const std::string& name, std::vector<int64_t> dims,
              int32_t type) {
  auto* in = g.add_input();
  in->set_name(name);
  auto* t = in->mutable_type()->mutable_tensor_type();
  t->set_elem_type(type);
  for (size_t i = 0; i < dims.size(); ++i) {
    auto* d = t->mutable_shape()->add_dim();
    if (i == 0) {
      d->set_dim_param("batch");
    } else {
      d->set_dim_value(dims[i]);
    }
  }
}

void AddOutput(::onnx::GraphProto& g, const std::string& name, int rank) {
  auto* out = g.add_output();
  out->set_name(name);
  auto* t = out->mutable_type()->mutable_tensor_type();
  t->set_elem_type(::onnx::TensorProto::FLOAT);
  auto* shape = t->mutable_shape();
  for (int i = 0; i < rank; ++i) shape->add_dim();
}

void AddInitializer(::onnx::GraphProto& g, const std::string& name, std::vector<int64_t> dims,
                    std::vector<float> values) {
  auto* t = g.add_initializer();
  t->set_name(name);
  t->set_data_type(::onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  for (float v : values) t->add_float_data(v);
}

::onnx::NodeProto* AddNode(::onnx::GraphProto& g, const std::string& op,
                           std::vector<std::string> inputs, std::vector<std::string> outputs,
                           const std::string& name) {
  auto* n = g.add_node();
  n->set_op_type(op);
  n->set_name(name.empty() ? StrCat("/", op) : name);
  for (const std::string& in : inputs) n->add_input(in);
  for (const std::string& out : outputs) n->add_output(out);
  return n;
}

void SetInts(::onnx::NodeProto* n, const std::string& name, std::vector<int64_t> values) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
}

void SetInt(::onnx::NodeProto* n, const std::string& name, int64_t value) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::INT);
  a->set_i(value);
}

void SetFloat(::onnx::NodeProto* n, const std::string& name, float value) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::FLOAT);
  a->set_f(value);
}

std::string Serialize(const ::onnx::ModelProto& model) {
  std::string bytes;
  model.SerializeToString(&bytes);
  return bytes;
}

}  // namespace dlc::onnx_test
