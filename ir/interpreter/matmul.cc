// matmul {transpose_a, transpose_b}: [..., M, K] x [..., K, N] -> [..., M, N]
// over identical leading batch dimensions. Accumulates in the element type,
// each result element summed in order k = 0, 1, ..., K-1.
#include <cstdint>

#include "ir/interpreter/dispatch.h"
#include "ir/interpreter/kernels.h"

namespace dlc::interpreter_internal {
namespace {

template <typename T>
Tensor MatMul(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b,
              const TensorType& result) {
  const int64_t rank = result.rank();
  const int64_t m_size = result.shape[rank - 2];
  const int64_t n_size = result.shape[rank - 1];
  const int64_t k_size = a.shape()[rank - (transpose_a ? 2 : 1)];
  int64_t batches = 1;
  for (int64_t d = 0; d < rank - 2; ++d) batches *= result.shape[d];

  // Strides of element (m, k) of op(a) and (k, n) of op(b) in one batch.
  const int64_t a_m = transpose_a ? 1 : k_size;
  const int64_t a_k = transpose_a ? m_size : 1;
  const int64_t b_k = transpose_b ? 1 : n_size;
  const int64_t b_n = transpose_b ? k_size : 1;

  Tensor out(result);  // zero-initialized accumulators
  std::span<const T> a_values = a.values<T>();
  std::span<const T> b_values = b.values<T>();
  std::span<T> c_values = out.values<T>();
  for (int64_t batch = 0; batch < batches; ++batch) {
    const T* lhs = a_values.data() + batch * m_size * k_size;
    const T* rhs = b_values.data() + batch * k_size * n_size;
    T* c = c_values.data() + batch * m_size * n_size;
    // m-k-n order keeps the inner loop on a row of c and, untransposed, of b.
    for (int64_t m = 0; m < m_size; ++m) {
      for (int64_t k = 0; k < k_size; ++k) {
        const T lhs_mk = lhs[m * a_m + k * a_k];
        for (int64_t n = 0; n < n_size; ++n) c[m * n_size + n] += lhs_mk * rhs[k * b_k + n * b_n];
      }
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<Tensor> EvalMatMul(const Node& node, Operands in) {
  const bool transpose_a = AttrBool(node.attrs, "transpose_a");
  const bool transpose_b = AttrBool(node.attrs, "transpose_b");
  return DispatchFloat(node.type.dtype, [&](auto tag) -> absl::StatusOr<Tensor> {
    using T = typename decltype(tag)::type;
    return MatMul<T>(*in[0], *in[1], transpose_a, transpose_b, node.type);
  });
}

}  // namespace dlc::interpreter_internal
