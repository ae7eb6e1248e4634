// What the autodiff pass promises beyond each op's rule: gradients of a
// value used several times add up, values the loss does not depend on get
// zeros, integer values get none, the loss must be a float scalar, and every
// op without a rule on the way is reported at once, with its location.
#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/interpreter.h"
#include "ir/parser.h"
#include "passes/autodiff.h"
#include "passes/vjp_rules.h"
#include "support/status_macros.h"
#include "tests/passes/op_gradient_harness.h"

namespace dlc::testing {
namespace {

using ::testing::HasSubstr;

// The ops the op_gradient_*_test.cc files check. A new rule in
// passes/vjp_rules.cc needs its gradient check there and its name here.
constexpr OpKind kOpsWithGradientChecks[] = {
    // op_gradient_elementwise_test.cc
    OpKind::kAdd,
    OpKind::kSub,
    OpKind::kMul,
    OpKind::kDiv,
    OpKind::kMax,
    OpKind::kMin,
    OpKind::kPow,
    OpKind::kNeg,
    OpKind::kExp,
    OpKind::kLog,
    OpKind::kSqrt,
    OpKind::kRsqrt,
    OpKind::kRelu,
    OpKind::kLeakyRelu,
    OpKind::kSigmoid,
    OpKind::kTanh,
    OpKind::kSelect,
    OpKind::kCast,
    // op_gradient_shape_test.cc
    OpKind::kReshape,
    OpKind::kFlatten,
    OpKind::kTranspose,
    OpKind::kBroadcast,
    OpKind::kSlice,
    OpKind::kConcat,
    OpKind::kPad,
    OpKind::kReduceSum,
    OpKind::kReduceMean,
    OpKind::kReduceMax,
    // op_gradient_nn_test.cc
    OpKind::kMatMul,
    OpKind::kConv2D,
    OpKind::kMaxPool2D,
    OpKind::kAvgPool2D,
    OpKind::kSoftmax,
    OpKind::kLogSoftmax,
    OpKind::kSoftmaxCrossEntropy,
};

TEST(AutodiffPass, EveryOpWithAGradientRuleHasAGradientCheck) {
  for (const OpDef& def : AllOpDefs()) {
    const bool checked =
        std::find(std::begin(kOpsWithGradientChecks), std::end(kOpsWithGradientChecks), def.kind) !=
        std::end(kOpsWithGradientChecks);
    EXPECT_EQ(FindVjpRule(def.kind) != nullptr, checked)
        << def.name << (checked ? " is checked but has no rule" : " has a rule but no check");
  }
}

TEST(AutodiffPass, GradientsOfAValueUsedSeveralTimesAreSummed) {
  // a is used five times, at two shapes: a * a + exp(a) * a + sum(a, axis 1).
  OpGradientGraph g;
  const ValueId a = g.Input("a", {2, 3});
  const ValueId square = g.Op(OpKind::kMul, {a, a});
  const ValueId exp_a = g.Op(OpKind::kMul, {g.Op(OpKind::kExp, {a}), a});
  const ValueId row_sums = g.Op(OpKind::kReduceSum, {a}, Axes({1}, /*keepdims=*/true));
  g.ExpectGradientsMatch(g.Op(OpKind::kAdd, {g.Op(OpKind::kAdd, {square, exp_a}), row_sums}));
}

TEST(AutodiffPass, AValueUsedByTwoOperandsOfOneOpGetsBoth) {
  OpGradientGraph g;
  const ValueId a = g.Input("a", {3, 2});
  g.ExpectGradientsMatch(g.Op(OpKind::kMatMul, {a, a}, {{"transpose_a", true}}));
}

// loss = sum(x * x); `p` is a parameter the loss does not use.
struct UnusedParameterGraph {
  GraphBuilder b{"unused"};
  ValueId x, p, loss;
};

absl::Status BuildUnusedParameterGraph(UnusedParameterGraph& g) {
  DLC_ASSIGN_OR_RETURN(g.x, g.b.Input("x", TensorType{DType::kF64, {3}}));
  DLC_ASSIGN_OR_RETURN(g.p, g.b.Parameter("p", TensorType{DType::kF64, {2, 3}}));
  DLC_ASSIGN_OR_RETURN(ValueId square, g.b.Add(OpKind::kMul, {g.x, g.x}));
  DLC_ASSIGN_OR_RETURN(g.loss, g.b.Add(OpKind::kReduceSum, {square}, Axes({0})));
  return absl::OkStatus();
}

TEST(AutodiffPass, AnUnusedParameterGetsAZeroGradient) {
  UnusedParameterGraph g;
  ASSERT_TRUE(BuildUnusedParameterGraph(g).ok());
  const ValueId wrt[] = {g.x, g.p};
  auto grads = AppendGradients(g.b, g.loss, wrt);
  ASSERT_TRUE(grads.ok()) << grads.status();
  auto graph = std::move(g.b).Build(*grads);
  ASSERT_TRUE(graph.ok()) << graph.status();
  Feeds feeds;
  feeds.emplace("x", Tensor::FromVector<double>(DType::kF64, {3}, {1, -2, 0.5}));
  feeds.emplace("p", Tensor(DType::kF64, {2, 3}));
  auto out = Interpret(*graph, feeds);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].ToString(), "f64[3] [2, -4, 1]");
  EXPECT_EQ((*out)[1].type(), (TensorType{DType::kF64, {2, 3}}));
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ((*out)[1].GetDouble(i), 0.0) << i;
}

TEST(AutodiffPass, AnUnusedParameterPassesTheGradientCheck) {
  UnusedParameterGraph g;
  ASSERT_TRUE(BuildUnusedParameterGraph(g).ok());
  auto graph = std::move(g.b).Build({g.loss});
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto result = CheckGradients(*graph, MakeFeeds(*graph, 1));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_LT(result->max_relative_error, kGradientTolerance) << result->worst;
  EXPECT_EQ(result->probes, 9);
  RecordGradientCheck(*result);
}

TEST(AutodiffPass, TheLossMustBeAFloatScalar) {
  GraphBuilder b("bad_loss");
  auto x = b.Input("x", TensorType{DType::kF64, {3}});
  auto k = b.Input("k", TensorType{DType::kI32, {}});
  ASSERT_TRUE(x.ok() && k.ok());
  const ValueId wrt[] = {*x};

  auto not_scalar = AppendGradients(b, *x, wrt);
  EXPECT_EQ(not_scalar.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(not_scalar.status().message(),
              HasSubstr("the loss %x must be a float scalar, got f64[3]"));

  auto not_float = AppendGradients(b, *k, wrt);
  EXPECT_EQ(not_float.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(not_float.status().message(),
              HasSubstr("the loss %k must be a float scalar, got i32[]"));
}

TEST(AutodiffPass, IntegerInputsGetNoGradient) {
  // loss = sum(x * cast(k)): k is asked for but, being an integer, gets a
  // zero constant, and no gradient flows back through the cast.
  GraphBuilder b("integers");
  auto x = b.Input("x", TensorType{DType::kF64, {3}});
  auto k = b.Input("k", TensorType{DType::kI32, {3}});
  ASSERT_TRUE(x.ok() && k.ok());
  auto scale = b.Add(OpKind::kCast, {*k}, {{"to", DType::kF64}});
  ASSERT_TRUE(scale.ok()) << scale.status();
  auto product = b.Add(OpKind::kMul, {*x, *scale});
  ASSERT_TRUE(product.ok()) << product.status();
  auto loss = b.Add(OpKind::kReduceSum, {*product}, Axes({0}));
  ASSERT_TRUE(loss.ok()) << loss.status();
  const ValueId forward_size = b.graph().size();
  const ValueId wrt[] = {*x, *k};
  auto grads = AppendGradients(b, *loss, wrt);
  ASSERT_TRUE(grads.ok()) << grads.status();

  const Node& dk = b.node((*grads)[1]);
  EXPECT_EQ(dk.op, OpKind::kConstant);
  EXPECT_EQ(dk.type, (TensorType{DType::kI32, {3}}));
  EXPECT_EQ(AttrFloats(dk.attrs, "value"), FloatList{0.0});
  for (ValueId id = forward_size; id < b.graph().size(); ++id) {
    const Node& n = b.node(id);
    EXPECT_FALSE(n.op == OpKind::kCast) << "a gradient flows into the cast: " << n.name;
  }

  auto graph = std::move(b).Build(*grads);
  ASSERT_TRUE(graph.ok()) << graph.status();
  Feeds feeds;
  feeds.emplace("x", Tensor::FromVector<double>(DType::kF64, {3}, {1, 2, 3}));
  feeds.emplace("k", Tensor::FromVector<int32_t>(DType::kI32, {3}, {4, -5, 6}));
  auto out = Interpret(*graph, feeds);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].ToString(), "f64[3] [4, -5, 6]");
  EXPECT_EQ((*out)[1].ToString(), "i32[3] [0, 0, 0]");
}

TEST(AutodiffPass, OpsOffTheGradientPathNeedNoRule) {
  // argmax (integer result) and maxpool2d_grad of values not differentiated
  // have no rule, and need none.
  GraphBuilder b("off_path");
  auto x = b.Input("x", TensorType{DType::kF64, {1, 2, 2, 1}});
  auto c = b.Input("c", TensorType{DType::kF64, {1, 2, 2, 1}});
  auto d = b.Input("d", TensorType{DType::kF64, {1, 1, 1, 1}});
  ASSERT_TRUE(x.ok() && c.ok() && d.ok());
  auto pooled = b.Add(OpKind::kMaxPool2DGrad, {*c, *d},
                      {{"window", IntList{2, 2}}, {"strides", IntList{2, 2}}});
  ASSERT_TRUE(pooled.ok()) << pooled.status();
  auto index = b.Add(OpKind::kArgMax, {*x}, {{"axis", int64_t{1}}, {"keepdims", true}});
  ASSERT_TRUE(index.ok()) << index.status();
  auto index_f = b.Add(OpKind::kCast, {*index}, {{"to", DType::kF64}});
  auto product = b.Add(OpKind::kMul, {*x, *pooled});
  ASSERT_TRUE(index_f.ok() && product.ok());
  auto sum = b.Add(OpKind::kMul, {*product, *index_f});
  ASSERT_TRUE(sum.ok()) << sum.status();
  auto loss = b.Add(OpKind::kReduceSum, {*sum}, Axes({0, 1, 2, 3}));
  ASSERT_TRUE(loss.ok()) << loss.status();
  const ValueId wrt[] = {*x};
  auto grads = AppendGradients(b, *loss, wrt);
  EXPECT_TRUE(grads.ok()) << grads.status();
}

TEST(AutodiffPass, ReportsEveryOpWithoutARuleWithItsLocation) {
  // maxpool2d_grad has no gradient rule of its own (no second order).
  constexpr const char* kText = R"(graph twice {
  %x = input() : f64[1,4,4,1]
  %dy = input() : f64[1,2,2,1]
  %g1 = maxpool2d_grad(%x, %dy) {window=[2,2], strides=[2,2]} : f64[1,4,4,1]
  %g2 = maxpool2d_grad(%g1, %dy) {window=[2,2], strides=[2,2]} : f64[1,4,4,1]
  %loss = reduce_sum(%g2) {axes=[0,1,2,3]} : f64[]
  return %loss
}
)";
  auto module = ParseModule(kText, "twice.ir");
  ASSERT_TRUE(module.ok()) << module.status();
  const Graph& graph = module->graphs[0];
  GraphBuilder b(graph);
  const ValueId wrt[] = {*graph.Find("x"), *graph.Find("dy")};
  auto grads = AppendGradients(b, *graph.Find("loss"), wrt);
  EXPECT_EQ(grads.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(grads.status().message(),
            "cannot differentiate: 2 ops have no gradient rule:\n"
            "  twice.ir:4:3: %g1 = maxpool2d_grad\n"
            "  twice.ir:5:3: %g2 = maxpool2d_grad");
}

TEST(AutodiffPass, SecondOrderThroughTwoMaxPoolsIsZero) {
  // The gradient of sum(maxpool(maxpool(x))) depends on x only through
  // where the maxima are (integer argmax, off the gradient path): it is
  // piecewise constant, and its own gradient is 0.
  GraphBuilder b("second_order");
  const Attributes pool = {{"window", IntList{2, 2}}, {"strides", IntList{1, 1}}};
  auto x = b.Input("x", TensorType{DType::kF64, {1, 4, 4, 1}});
  ASSERT_TRUE(x.ok());
  auto p1 = b.Add(OpKind::kMaxPool2D, {*x}, pool, "p1");
  ASSERT_TRUE(p1.ok()) << p1.status();
  auto p2 = b.Add(OpKind::kMaxPool2D, {*p1}, pool, "p2");
  ASSERT_TRUE(p2.ok()) << p2.status();
  auto loss = b.Add(OpKind::kReduceSum, {*p2}, Axes({0, 1, 2, 3}), "loss");
  ASSERT_TRUE(loss.ok()) << loss.status();
  const ValueId wrt[] = {*x};
  auto grads = AppendGradients(b, *loss, wrt);
  ASSERT_TRUE(grads.ok()) << grads.status();
  auto square = b.Add(OpKind::kMul, {(*grads)[0], (*grads)[0]});
  ASSERT_TRUE(square.ok()) << square.status();
  auto loss2 = b.Add(OpKind::kReduceSum, {*square}, Axes({0, 1, 2, 3}), "loss2");
  ASSERT_TRUE(loss2.ok()) << loss2.status();
  auto second = AppendGradients(b, *loss2, wrt);
  ASSERT_TRUE(second.ok()) << second.status();
  auto graph = std::move(b).Build({(*grads)[0], (*second)[0]});
  ASSERT_TRUE(graph.ok()) << graph.status();
  Feeds feeds;
  feeds.emplace("x",
                Tensor::FromVector<double>(DType::kF64, {1, 4, 4, 1},
                                           {1, 9, 2, 3, 4, 5, 6, 7, 8, 0, 10, 11, 12, 13, 15, 14}));
  auto out = Interpret(*graph, feeds);
  ASSERT_TRUE(out.ok()) << out.status();
  // First order (by hand): p1 = [[9,9,7],[8,10,11],[13,15,15]]; p2's
  // windows pick p1's 10, 11 and 15 (twice: the first of two 15s), which
  // came from x's 10, 11 and 15.
  EXPECT_EQ((*out)[0].ToString(),
            "f64[1,4,4,1] [[[[0], [0], [0], [0]], [[0], [0], [0], [0]], "
            "[[0], [0], [1], [1]], [[0], [0], [2], [0]]]]");
  EXPECT_EQ((*out)[1].ToString(),
            "f64[1,4,4,1] [[[[0], [0], [0], [0]], [[0], [0], [0], [0]], "
            "[[0], [0], [0], [0]], [[0], [0], [0], [0]]]]");
}

TEST(AutodiffPass, SecondOrderThroughAMaxPoolsGradientOfItsOutputIsReported) {
  // loss = sum(maxpool(x)^2): its gradient scatters 2 * maxpool(x), which
  // depends on x; maxpool2d_scatter has no gradient rule (no second order).
  GraphBuilder b("second_order");
  const Attributes pool = {{"window", IntList{2, 2}}, {"strides", IntList{2, 2}}};
  auto x = b.Input("x", TensorType{DType::kF64, {1, 4, 4, 1}});
  ASSERT_TRUE(x.ok());
  auto p = b.Add(OpKind::kMaxPool2D, {*x}, pool, "p");
  ASSERT_TRUE(p.ok()) << p.status();
  auto square = b.Add(OpKind::kMul, {*p, *p});
  ASSERT_TRUE(square.ok()) << square.status();
  auto loss = b.Add(OpKind::kReduceSum, {*square}, Axes({0, 1, 2, 3}), "loss");
  ASSERT_TRUE(loss.ok()) << loss.status();
  const ValueId wrt[] = {*x};
  auto grads = AppendGradients(b, *loss, wrt);
  ASSERT_TRUE(grads.ok()) << grads.status();
  auto loss2 = b.Add(OpKind::kReduceSum, {(*grads)[0]}, Axes({0, 1, 2, 3}), "loss2");
  ASSERT_TRUE(loss2.ok()) << loss2.status();
  auto second = AppendGradients(b, *loss2, wrt);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(second.status().message(),
              HasSubstr("cannot differentiate: 1 op has no gradient rule:\n"));
  EXPECT_THAT(second.status().message(), HasSubstr("%x.grad = maxpool2d_scatter"));
}

// Builds loss1, a small network of x, w and b, appends its gradient with
// respect to x and w, and returns loss2 = sum(dx * u) + sum(dw * v): the
// gradient of loss2 is a Hessian-vector product of loss1.
absl::StatusOr<Graph> SecondOrderGraph() {
  GraphBuilder b("second_order");
  auto f64 = [](Shape shape) { return TensorType{DType::kF64, std::move(shape)}; };
  DLC_ASSIGN_OR_RETURN(ValueId x, b.Input("x", f64({2, 3})));
  DLC_ASSIGN_OR_RETURN(ValueId w, b.Parameter("w", f64({3, 4})));
  DLC_ASSIGN_OR_RETURN(ValueId bias, b.Parameter("bias", f64({4})));
  DLC_ASSIGN_OR_RETURN(ValueId w2, b.Parameter("w2", f64({4, 3})));
  DLC_ASSIGN_OR_RETURN(ValueId labels, b.Input("labels", TensorType{DType::kI32, {2}}));
  DLC_ASSIGN_OR_RETURN(ValueId xw, b.Add(OpKind::kMatMul, {x, w}));
  DLC_ASSIGN_OR_RETURN(ValueId z, b.Add(OpKind::kAdd, {xw, bias}, {}, "z"));
  DLC_ASSIGN_OR_RETURN(ValueId t, b.Add(OpKind::kTanh, {z}, {}, "t"));
  DLC_ASSIGN_OR_RETURN(ValueId s, b.Add(OpKind::kSigmoid, {z}, {}, "s"));
  DLC_ASSIGN_OR_RETURN(ValueId h, b.Add(OpKind::kMul, {t, s}, {}, "h"));
  DLC_ASSIGN_OR_RETURN(ValueId logits, b.Add(OpKind::kMatMul, {h, w2}, {}, "logits"));
  DLC_ASSIGN_OR_RETURN(ValueId xent, b.Add(OpKind::kSoftmaxCrossEntropy, {logits, labels}));
  DLC_ASSIGN_OR_RETURN(ValueId e, b.Add(OpKind::kExp, {h}, {}, "e"));
  DLC_ASSIGN_OR_RETURN(ValueId mean, b.Add(OpKind::kReduceMean, {e}, Axes({0, 1})));
  DLC_ASSIGN_OR_RETURN(ValueId loss1, b.Add(OpKind::kAdd, {xent, mean}, {}, "loss1"));
  const ValueId wrt[] = {x, w};
  DLC_ASSIGN_OR_RETURN(std::vector<ValueId> grads, AppendGradients(b, loss1, wrt));
  DLC_ASSIGN_OR_RETURN(ValueId u, b.Input("u", f64({2, 3})));
  DLC_ASSIGN_OR_RETURN(ValueId v, b.Input("v", f64({3, 4})));
  DLC_ASSIGN_OR_RETURN(ValueId dx_u, b.Add(OpKind::kMul, {grads[0], u}));
  DLC_ASSIGN_OR_RETURN(ValueId dw_v, b.Add(OpKind::kMul, {grads[1], v}));
  DLC_ASSIGN_OR_RETURN(ValueId sum_u, b.Add(OpKind::kReduceSum, {dx_u}, Axes({0, 1})));
  DLC_ASSIGN_OR_RETURN(ValueId sum_v, b.Add(OpKind::kReduceSum, {dw_v}, Axes({0, 1})));
  DLC_ASSIGN_OR_RETURN(ValueId loss2, b.Add(OpKind::kAdd, {sum_u, sum_v}, {}, "loss2"));
  return std::move(b).Build({loss2});
}

TEST(AutodiffPass, GradientsOfAGradientGraphMatchFiniteDifferences) {
  auto graph = SecondOrderGraph();
  ASSERT_TRUE(graph.ok()) << graph.status();
  Feeds feeds = MakeFeeds(*graph, /*seed=*/3, /*int_range=*/3);
  auto result = CheckGradients(*graph, feeds);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_LT(result->max_relative_error, kGradientTolerance) << result->worst;
  EXPECT_EQ(result->probes, 6 + 12 + 4 + 12 + 6 + 12);
  RecordGradientCheck(*result);
}

}  // namespace
}  // namespace dlc::testing
