#include "frontend/onnx/check.h"

#include <exception>
#include <string>

#include "onnx/checker.h"
#include "onnx/shape_inference/implementation.h"
#include "support/str_cat.h"

namespace dlc::onnx_export {
namespace {

std::string DimText(const onnx::TensorShapeProto_Dimension& dim) {
  if (dim.has_dim_param()) return dim.dim_param();
  if (dim.has_dim_value()) return StrCat(dim.dim_value());
  return "?";
}

std::string TypeText(const onnx::TypeProto& type) {
  const std::string dtype = onnx::TensorProto_DataType_Name(
      static_cast<onnx::TensorProto_DataType>(type.tensor_type().elem_type()));
  if (!type.tensor_type().has_shape()) return dtype + " of unknown shape";
  std::string text = dtype + "[";
  const onnx::TensorShapeProto& shape = type.tensor_type().shape();
  for (int d = 0; d < shape.dim_size(); ++d) {
    text += StrCat(d > 0 ? "," : "", DimText(shape.dim(d)));
  }
  return text + "]";
}

bool SameDim(const onnx::TensorShapeProto_Dimension& a, const onnx::TensorShapeProto_Dimension& b) {
  if (a.has_dim_param() || b.has_dim_param()) {
    return a.has_dim_param() && b.has_dim_param() && a.dim_param() == b.dim_param();
  }
  return a.has_dim_value() && b.has_dim_value() && a.dim_value() == b.dim_value();
}

bool SameType(const onnx::TypeProto& a, const onnx::TypeProto& b) {
  const onnx::TypeProto_Tensor& x = a.tensor_type();
  const onnx::TypeProto_Tensor& y = b.tensor_type();
  if (x.elem_type() != y.elem_type() || !x.has_shape() || !y.has_shape()) return false;
  if (x.shape().dim_size() != y.shape().dim_size()) return false;
  for (int d = 0; d < x.shape().dim_size(); ++d) {
    if (!SameDim(x.shape().dim(d), y.shape().dim(d))) return false;
  }
  return true;
}

}  // namespace

absl::Status CheckOnnxModel(const onnx::ModelProto& model) {
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    return absl::InternalError(StrCat("onnx::checker rejects the exported model: ", e.what()));
  }
  // Shape inference on a copy whose outputs declare only their element
  // type: what it fills in is what the nodes compute, batch included (a
  // symbolic batch that an op loses or mixes shows as a different dim).
  onnx::ModelProto inferred = model;
  for (onnx::ValueInfoProto& output : *inferred.mutable_graph()->mutable_output()) {
    output.mutable_type()->mutable_tensor_type()->clear_shape();
  }
  try {
    onnx::shape_inference::InferShapes(
        inferred, onnx::OpSchemaRegistry::Instance(),
        onnx::ShapeInferenceOptions(/*check_type_val=*/true, /*strict_mode_val=*/1));
  } catch (const std::exception& e) {
    return absl::InternalError(
        StrCat("ONNX shape inference rejects the exported model: ", e.what()));
  }
  for (int i = 0; i < model.graph().output_size(); ++i) {
    const onnx::ValueInfoProto& declared = model.graph().output(i);
    const onnx::ValueInfoProto& computed = inferred.graph().output(i);
    if (!SameType(declared.type(), computed.type())) {
      return absl::InternalError(StrCat("ONNX shape inference gives output ", declared.name(), " ",
                                        TypeText(computed.type()), ", the graph declares ",
                                        TypeText(declared.type())));
    }
  }
  return absl::OkStatus();
}

}  // namespace dlc::onnx_export
