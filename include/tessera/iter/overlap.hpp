#pragma once
// Which bytes two views share: the checks made before a kernel writes into an existing tensor.

#include <cstdint>
#include <utility>

#include "../core/error.hpp"
#include "../core/tensor_impl.hpp"

namespace tessera::detail {

/** True when the elements exactly tile a block of memory (any dimension order). */
inline bool is_non_overlapping_and_dense(const Shape& sizes, const Shape& strides) {
  const size_t nd = sizes.size();
  if (nd == 1) return sizes[0] < 2 || strides[0] == 1;
  // Dimensions by increasing stride, those of size 0 or 1 last (an insertion sort: nd is small).
  auto before = [&](int64_t a, int64_t b) { return sizes[a] >= 2 && (sizes[b] < 2 || strides[a] < strides[b]); };
  Shape perm = Shape::filled(nd, 0);
  for (size_t i = 0; i < nd; ++i) {
    size_t j = i;
    for (; j > 0 && before(static_cast<int64_t>(i), perm[j - 1]); --j) perm[j] = perm[j - 1];
    perm[j] = static_cast<int64_t>(i);
  }
  int64_t required = 1;
  for (int64_t i : perm) {
    if (sizes[i] < 2) return true;
    if (strides[i] != required) return false;
    required *= sizes[i];
  }
  return true;
}

/** True when some element is reachable twice (a broadcast dimension), the check PyTorch makes
 *  before writing into a tensor. */
inline bool has_internal_overlap(const TensorImpl& impl) {
  for (size_t d = 0; d < impl.sizes.size(); ++d)
    if (impl.sizes[d] > 1 && impl.strides[d] == 0) return true;
  return false;
}

/** Byte range [first, last] touched by a non-empty view. */
inline std::pair<const char*, const char*> byte_span(const TensorImpl& impl) {
  const char* first = impl.data();
  int64_t last = 0;
  for (size_t d = 0; d < impl.sizes.size(); ++d) last += (impl.sizes[d] - 1) * impl.strides[d];
  return {first, first + (last + 1) * element_size(impl.dtype) - 1};
}

/** True when two non-empty views may read or write the same bytes. */
inline bool may_overlap(const TensorImpl& a, const TensorImpl& b) {
  if (a.numel == 0 || b.numel == 0 || !a.storage.is_alias_of(b.storage)) return false;
  const auto [a0, a1] = byte_span(a);
  const auto [b0, b1] = byte_span(b);
  return a0 <= b1 && b0 <= a1;
}

// Note [Overlap of inputs and outputs]
// PyTorch's rule for an elementwise kernel or a copy that writes an existing tensor: an input may
// be the written tensor itself (full overlap: each element reads what it then writes), but may not
// share only part of its bytes (partial overlap: an error, x[1:].add_(x[:-1]), x.add_(x[0]),
// x.copy_(x.t())). The check runs in dispatch_plan, for every plan that writes an existing tensor
// and reads others (elementwise and copy plans), so no op can skip it. Where the two views are
// not both dense PyTorch cannot tell cheaply and runs the kernel on the aliased memory, whose
// result then depends on the order of the loop; tessera reads such an input from a snapshot, so
// the result is what the input held before the op (snapshot_if_overlapping, copy_).

/** How two views share memory, as PyTorch's get_overlap_status sees it. */
enum class Overlap : uint8_t { None, Full, Partial, TooHard };

inline Overlap overlap_status(const TensorImpl& a, const TensorImpl& b) {
  if (&a == &b) return Overlap::Full;
  // Before the layouts (PyTorch looks at them first): views of different storages, the common
  // case of an in-place op, share nothing.
  if (a.numel == 0 || b.numel == 0 || !a.storage.is_alias_of(b.storage)) return Overlap::None;
  if (!is_non_overlapping_and_dense(a.sizes, a.strides) || !is_non_overlapping_and_dense(b.sizes, b.strides))
    return Overlap::TooHard;
  const char* a0 = a.data();
  const char* b0 = b.data();
  const char* a1 = a0 + a.numel * static_cast<int64_t>(element_size(a.dtype));
  const char* b1 = b0 + b.numel * static_cast<int64_t>(element_size(b.dtype));
  if (a0 == b0 && a1 == b1) return a.strides == b.strides ? Overlap::Full : Overlap::Partial;
  return a0 < b1 && b0 < a1 ? Overlap::Partial : Overlap::None;
}

[[noreturn, gnu::noinline, gnu::cold]] inline void throw_partial_overlap(const char* op) {
  throw_error(op, ": unsupported operation: some elements of the input tensor and the written-to tensor refer to a "
              "single memory location. Please clone() the tensor before performing the operation.");
}

/** Refuses to write into a tensor whose elements share memory (an expanded one), as PyTorch's
 *  assert_no_internal_overlap does for ops that write each element with a value of its own. */
inline void check_no_internal_overlap(const char* op, const TensorImpl& written) {
  TS_CHECK(!has_internal_overlap(written), op, ": unsupported operation: more than one element of the written-to "
           "tensor refers to a single memory location. Please clone() the tensor before performing the operation.");
}

/** Refuses an input that shares part of the written tensor's bytes (Note [Overlap of inputs and
 *  outputs]). */
inline void check_no_partial_overlap(const char* op, const TensorImpl& written, const TensorImpl& input) {
  if (overlap_status(written, input) == Overlap::Partial) throw_partial_overlap(op);
}

}  // namespace tessera::detail
