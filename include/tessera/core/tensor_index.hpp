#pragma once
// TensorIndex: one entry of t.index({...}): an integer, Slice, None, Ellipsis, or an index tensor.

#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>

#include "tensor_impl.hpp"

namespace tessera {

template <class T>
class Tensor;

/** Python's `start:stop:step`; omitted parts default as in Python. */
struct Slice {
  std::optional<int64_t> start, stop, step;
  Slice(std::optional<int64_t> start_ = std::nullopt, std::optional<int64_t> stop_ = std::nullopt,
        std::optional<int64_t> step_ = std::nullopt)
      : start(start_), stop(stop_), step(step_) {}
};

/** The type of ts::None; also an omitted bound of a Slice, as in `Slice(None, None, 2)`. */
struct NoneIndex {
  constexpr operator std::optional<int64_t>() const { return std::nullopt; }
};
struct EllipsisIndex {};
/** `ts::None` inserts a dimension of size 1, as Python's `None` in an index. */
inline constexpr NoneIndex None{};
/** `ts::Ellipsis` stands for as many `Slice()` as needed, as Python's `...`. */
inline constexpr EllipsisIndex Ellipsis{};

/** One entry of an index list. Tensor entries (integer or bool) make the result a copy. */
class TensorIndex {
 public:
  template <class I>
    requires(std::is_integral_v<I> && !std::is_same_v<I, bool>)
  TensorIndex(I i) : kind_(Kind::Integer), integer_(static_cast<int64_t>(i)) {}
  TensorIndex(Slice s) : kind_(Kind::Slice), slice_(s) {}
  TensorIndex(NoneIndex) : kind_(Kind::NewAxis) {}
  TensorIndex(EllipsisIndex) : kind_(Kind::Rest) {}
  template <class T>
  TensorIndex(const Tensor<T>& t) : kind_(Kind::Tensor), tensor_(t.impl_ptr()) {}

  bool is_integer() const { return kind_ == Kind::Integer; }
  bool is_slice() const { return kind_ == Kind::Slice; }
  bool is_none() const { return kind_ == Kind::NewAxis; }
  bool is_ellipsis() const { return kind_ == Kind::Rest; }
  bool is_tensor() const { return kind_ == Kind::Tensor; }
  int64_t integer() const { return integer_; }
  const Slice& slice() const { return slice_; }
  const std::shared_ptr<detail::TensorImpl>& tensor() const { return tensor_; }

 private:
  // Not a std::variant: the few bytes this spends cost nothing, <variant> costs every program.
  enum class Kind { Integer, Slice, NewAxis, Rest, Tensor };  // not None/Ellipsis: ts::None is a value
  Kind kind_;
  int64_t integer_ = 0;
  Slice slice_;
  std::shared_ptr<detail::TensorImpl> tensor_;
};

}  // namespace tessera
