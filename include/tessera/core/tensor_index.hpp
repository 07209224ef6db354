#pragma once
// TensorIndex: one entry of t.index({...}): an integer, Slice, None, Ellipsis, or an index tensor.

#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>
#include <variant>

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
  TensorIndex(I i) : value_(static_cast<int64_t>(i)) {}
  TensorIndex(Slice s) : value_(s) {}
  TensorIndex(NoneIndex) : value_(NoneIndex{}) {}
  TensorIndex(EllipsisIndex) : value_(EllipsisIndex{}) {}
  template <class T>
  TensorIndex(const Tensor<T>& t) : value_(t.impl_ptr()) {}

  bool is_integer() const { return std::holds_alternative<int64_t>(value_); }
  bool is_slice() const { return std::holds_alternative<Slice>(value_); }
  bool is_none() const { return std::holds_alternative<NoneIndex>(value_); }
  bool is_ellipsis() const { return std::holds_alternative<EllipsisIndex>(value_); }
  bool is_tensor() const { return std::holds_alternative<std::shared_ptr<detail::TensorImpl>>(value_); }
  int64_t integer() const { return std::get<int64_t>(value_); }
  const Slice& slice() const { return std::get<Slice>(value_); }
  const std::shared_ptr<detail::TensorImpl>& tensor() const { return std::get<std::shared_ptr<detail::TensorImpl>>(value_); }

 private:
  std::variant<int64_t, Slice, NoneIndex, EllipsisIndex, std::shared_ptr<detail::TensorImpl>> value_;
};

}  // namespace tessera
