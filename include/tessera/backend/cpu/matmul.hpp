#pragma once
// CPU matrix products: mm and bmm for every dtype (GEMM for float and double, exact loops for
// integers, float GEMM for half and bfloat16).

#include "../../core/tensor.hpp"
#include "../../ops/copy.hpp"
#include "../../ops/view.hpp"
#include "gemm.hpp"
#include "math.hpp"

namespace tessera::detail {

template <class T>
MatrixRef<const T> matrix_of(const Tensor<T>& m) {
  return {m.kernel_data(), m.strides()[0], m.strides()[1]};
}

/** out = a @ b for 2-D tensors, out contiguous and not aliasing the inputs. */
template <class T>
void mm_into(const Tensor<T>& out, const Tensor<T>& a, const Tensor<T>& b, bool parallel = true) {
  const int64_t m = a.sizes()[0], k = a.sizes()[1], n = b.sizes()[1];
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    gemm<T>(m, n, k, matrix_of(a), matrix_of(b), MatrixRef<T>{out.kernel_data(), out.strides()[0], out.strides()[1]},
            parallel);
  } else if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) {
    const Tensor<float> result = empty_tensor<float>({m, n}, {.device = out.device()});
    mm_into(result, a.template to<float>(), b.template to<float>(), parallel);
    out.copy_(result);
  } else {  // integers and bool: exact, in the promoted integer type
    using Acc = std::conditional_t<std::is_same_v<T, bool>, bool, T>;
    const auto A = matrix_of(a), B = matrix_of(b);
    auto rows = [&](int64_t first, int64_t last) {
      for (int64_t i = first; i < last; ++i)
        for (int64_t j = 0; j < n; ++j) {
          Acc acc = Acc(0);
          for (int64_t p = 0; p < k; ++p) {
            if constexpr (std::is_same_v<T, bool>) acc = acc || (A(i, p) && B(p, j));
            else acc = math::add<Acc>(acc, math::mul<Acc>(A(i, p), B(p, j)));  // Note [Wrapping integer arithmetic]
          }
          out.kernel_data()[i * out.strides()[0] + j * out.strides()[1]] = acc;
        }
    };
    if (parallel) parallel_for(0, m, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(n * k, 1)), rows);
    else rows(0, m);
  }
}

/** out[i] = a[i] @ b[i] for 3-D tensors (out contiguous, not aliasing the inputs, none recorded). */
template <class T>
void bmm_into(const Tensor<T>& out, const Tensor<T>& a, const Tensor<T>& b) {
  const int64_t batch = a.sizes()[0];
  // Many small products: one per thread; few large ones: each product uses all threads.
  const int64_t work = a.sizes()[1] * a.sizes()[2] * b.sizes()[2];
  if (batch >= 2 * get_num_threads() && work <= 512 * 512 * 512) {
    parallel_for(0, batch, 1, [&](int64_t first, int64_t last) {
      for (int64_t i = first; i < last; ++i) mm_into(out[i], a[i], b[i], false);
    });
  } else {
    for (int64_t i = 0; i < batch; ++i) mm_into(out[i], a[i], b[i]);
  }
}

}  // namespace tessera::detail
