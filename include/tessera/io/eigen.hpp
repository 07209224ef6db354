#pragma once
// Eigen interop: from_eigen copies any dense Eigen matrix or array expression into a 2-D tensor;
// as_eigen views a 2-D tensor as a writable Eigen::Map with the tensor's strides.

#include <type_traits>

#include "../ops/creation.hpp"

// Note [Eigen without including Eigen]
// Parsing Eigen costs about two seconds per translation unit, so this header does not include
// it. It declares the three Eigen class templates that as_eigen's result type names; a program
// that calls as_eigen uses the Map it returns, so it has included Eigen (3.4) already, and the
// type is complete where the call is made. from_eigen needs nothing of Eigen but the expression.
namespace Eigen {
template <typename Scalar, int Rows, int Cols, int Options, int MaxRows, int MaxCols>
class Matrix;
template <typename PlainObjectType, int MapOptions, typename StrideType>
class Map;
template <int OuterStrideAtCompileTime, int InnerStrideAtCompileTime>
class Stride;
}  // namespace Eigen

namespace tessera {
namespace detail {
inline constexpr int kEigenDynamic = -1, kEigenRowMajor = 1, kEigenUnaligned = 0;  // Eigen's values

/** Eigen::Map<Eigen::Matrix<T, Dynamic, Dynamic, RowMajor>, Unaligned, Eigen::Stride<Dynamic, Dynamic>>. */
template <class T>
using EigenMap = Eigen::Map<Eigen::Matrix<T, kEigenDynamic, kEigenDynamic, kEigenRowMajor, kEigenDynamic, kEigenDynamic>,
                            kEigenUnaligned, Eigen::Stride<kEigenDynamic, kEigenDynamic>>;

template <class T>
concept EigenScalar = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;
}  // namespace detail

/** A copy of a dense Eigen matrix, array or expression (row- or column-major) as a 2-D
 *  tensor of its scalar type; vectors become n x 1 or 1 x n. */
template <class Derived>
  requires requires(const Derived& m) {
    typename Derived::Scalar;
    m.rows();
    m.cols();
    m.eval();
  }
Tensor<typename Derived::Scalar> from_eigen(const Derived& m, const TensorOptions& options = {}) {
  using T = typename Derived::Scalar;
  static_assert(detail::Element<T>, "from_eigen: the Eigen scalar type has no tensor dtype");
  const auto e = m.eval();
  const int64_t rows = e.rows(), cols = e.cols();
  Tensor<T> out = detail::empty_tensor<T>({rows, cols}, {.device = options.device}, "from_eigen");
  T* p = out.data_ptr();
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) p[i * cols + j] = e(i, j);
  if (options.requires_grad) out.requires_grad_(true);
  return out;
}

/** A writable zero-copy Eigen::Map over a 2-D tensor of any (non-overlapping) strides: writes
 *  through the map change the tensor. The map holds no reference: keep the tensor alive. */
template <class T>
detail::EigenMap<T> as_eigen(const Tensor<T>& t) {
  static_assert(detail::EigenScalar<T>, "as_eigen: Eigen maps of this element type are not supported "
                                        "(use float, double or an integer type)");
  TS_CHECK(t.dim() == 2, "as_eigen: expected a 2-D tensor, got shape ", detail::shape_str(t.sizes()));
  TS_CHECK(t.device().is_cpu(), "as_eigen: the tensor is on ", t.device(), "; Eigen maps need CPU memory");
  for (int64_t d = 0; d < 2; ++d)
    TS_CHECK(t.stride(d) != 0 || t.size(d) <= 1, "as_eigen: dimension ", d, " has stride 0 (an expanded tensor of "
             "shape ", detail::shape_str(t.sizes()), "), which a writable Eigen map cannot express; call contiguous() "
             "first");
  using Map = detail::EigenMap<T>;
  using StrideType = Eigen::Stride<detail::kEigenDynamic, detail::kEigenDynamic>;
  return Map(t.data_ptr(), t.size(0), t.size(1), StrideType(t.stride(0), t.stride(1)));
}

}  // namespace tessera
