#pragma once
// The CPU elementwise loop: out[i] = f(in_0[i], ..., in_k[i]) over broadcast, strided operands.

#include <array>
#include <utility>

#include "../../core/tensor_impl.hpp"
#include "../../iter/strided_loop.hpp"
#include "../../parallel/parallel_for.hpp"
#include "vectorized.hpp"

namespace tessera::detail {

/** An input of a kernel: the first element and element strides over the iteration shape
 *  (0 where broadcast). A C++ scalar is an operand whose strides are all 0. */
struct Operand {
  const char* data;
  Shape strides;
};

inline Operand operand_of(const TensorImpl& t, const Shape& shape, const char* op) {
  return {t.data(), broadcast_strides(t.sizes, t.strides, shape, op)};
}

template <class T>
Operand scalar_operand(const T& value, size_t ndim) {
  return {reinterpret_cast<const char*>(&value), Shape::filled(ndim, 0)};
}

/** Marks a kernel without a vector form. */
struct NoVectorOp {};

template <class Out, class... In, class F, class VecOp, size_t... I>
void run_1d(const std::array<char*, sizeof...(In) + 1>& p, const std::array<int64_t, sizeof...(In) + 1>& s, int64_t n,
            const F& f, VecOp, bool stream, std::index_sequence<I...>) {
  Out* out = reinterpret_cast<Out*>(p[0]);
  // Contiguous output, inputs contiguous or repeated: the op's vector form when it has one (one
  // floating type throughout), else loops the compiler vectorises.
  if (s[0] == sizeof(Out) && ((s[I + 1] == sizeof(In) || s[I + 1] == 0) && ...)) {
    if constexpr (!std::is_same_v<VecOp, NoVectorOp>) {
      vector_run<Out, sizeof...(In), VecOp>(out, {reinterpret_cast<const In*>(p[I + 1])...}, {(s[I + 1] == 0)...}, n,
                                            stream);
    } else if (((s[I + 1] == sizeof(In)) && ...)) {
      for (int64_t i = 0; i < n; ++i) out[i] = f(reinterpret_cast<const In*>(p[I + 1])[i]...);
    } else {  // a stride of 0 is a multiplier of 0
      const std::array<int64_t, sizeof...(In)> step = {(s[I + 1] == 0 ? 0 : 1)...};
      for (int64_t i = 0; i < n; ++i) out[i] = f(reinterpret_cast<const In*>(p[I + 1])[i * step[I]]...);
    }
    return;
  }
  for (int64_t i = 0; i < n; ++i)
    *reinterpret_cast<Out*>(p[0] + i * s[0]) = f(*reinterpret_cast<const In*>(p[I + 1] + i * s[I + 1])...);
}

/** Runs f over every element of `out`, in parallel for large tensors. Inputs must not
 *  partially overlap `out` (see resolve_overlap). VecOp, when given, is the op's vector form,
 *  used on contiguous runs when Out and every In are the same floating type. */
template <class Out, class... In, class F, class VecOp = NoVectorOp>
void cpu_kernel(const TensorImpl& out, const std::array<Operand, sizeof...(In)>& in, const F& f, VecOp vec = {}) {
  constexpr size_t N = sizeof...(In) + 1;
  std::array<char*, N> data;
  std::array<const Shape*, N> strides;
  data[0] = out.data();
  strides[0] = &out.strides;
  for (size_t k = 0; k < N - 1; ++k) {
    data[k + 1] = const_cast<char*>(in[k].data);
    strides[k + 1] = &in[k].strides;
  }
  const std::array<int64_t, N> sizes = {static_cast<int64_t>(sizeof(Out)), static_cast<int64_t>(sizeof(In))...};
  const StridedLoop<N> loop(out.sizes, data, strides, sizes);
  const bool stream = loop.numel() * static_cast<int64_t>(sizeof(Out)) >= kStreamingStoreBytes;
  parallel_for(0, loop.numel(), kGrainSize, [&](int64_t begin, int64_t end) {
    loop.run([&](const auto& p, const auto& s, int64_t n) {
      run_1d<Out, In...>(p, s, n, f, vec, stream, std::index_sequence_for<In...>{});
    }, begin, end);
  });
}

}  // namespace tessera::detail
