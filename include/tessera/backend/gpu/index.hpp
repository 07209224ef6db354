#pragma once
// The index family on a GPU: gather, scatter, x[idx], index_put and as_strided's adjoint as
// launches of the generated index kernels, and checks of index values that report through the
// device's status words instead of waiting (Note [Deferred errors]).

#include <algorithm>
#include <bit>
#include <cstdint>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "../../core/storage.hpp"
#include "bitonic.hpp"
#include "deferred_error.hpp"
#include "launch.hpp"

namespace tessera::gpu::detail {

using ::tessera::detail::IndexCheck;
using ::tessera::detail::IndexPlan;

struct IndexPush {
  uint32_t n, out_offset, in_offset, idx_offset, dim, size, nr, nb, limit;
};
struct IndexCheckPush {
  uint32_t n, offset;
  int32_t lo, hi;
  uint32_t check, op, dim, size;
};

// index.comp's OP.
enum IndexOp : uint32_t {
  kGather = 0,
  kScatter = 1,
  kScatterAdd = 2,
  kIndex = 3,
  kIndexPut = 4,
  kIndexPutAdd = 5,
  kStridedAdd = 6,
  kStridedAddScan = 7,
  kSortedPut = 8,
  kSortedPutAdd = 9,
  kScatterProd = 10,
  kScatterAmax = 11,
  kScatterAmin = 12,
};

/** index.comp's OP for a scatter: plain, accumulating, or scatter_reduce's `reduce`. */
inline IndexOp scatter_op(const IndexPlan& plan) {
  if (!plan.reduce) return plan.accumulate ? kScatterAdd : kScatter;
  const std::string_view reduce = plan.reduce;
  return reduce == "sum" ? kScatterAdd : reduce == "prod" ? kScatterProd : reduce == "amax" ? kScatterAmax : kScatterAmin;
}

// Note [Sorted index_put]
// index_put with repeated offsets must write (or add) in the CPU's order without atomics. With
// few slices (kSortAbove or fewer) the thread of each value scans the other slices' offsets (nb
// steps each). With more, the offsets are first sorted with their slice numbers (index_sort, a
// bitonic network for p = nb rounded up to a power of two: one launch per step j >= 256 and one
// per run of steps j < 256 (sort_pairs), 1 + (L - 8) (L - 5) / 2 launches for p = 2^L >= 256),
// so equal offsets are adjacent and in slice order, and each thread scans only its run. Both
// give the CPU's result bit for bit.
inline constexpr int64_t kSortAbove = 64;

template <class Runtime>
struct IndexLaunch {
  using L = Launch<Runtime>;

  /** Queues a check that every value of the contiguous int64 tensor `index` is in [lo, hi);
   *  the first that is not becomes the device's deferred error of `check` for `what`. */
  static void check(const TensorImpl& index, int64_t lo, int64_t hi, IndexCheck kind, const char* what, int64_t dim,
                    int64_t size) {
    if (index.numel == 0) return;
    check_index_range(index, what);
    const int device = device_of(index);
    const Kernel& kernel = L::kernel_for("index_check.i64", what, index.dtype, device);
    const IndexCheckPush push{static_cast<uint32_t>(index.numel),
                              static_cast<uint32_t>(index.offset),
                              static_cast<int32_t>(std::clamp<int64_t>(lo, INT32_MIN, INT32_MAX)),
                              static_cast<int32_t>(std::clamp<int64_t>(hi, INT32_MIN, INT32_MAX)),
                              static_cast<uint32_t>(kind),
                              deferred_op_id(what),
                              static_cast<uint32_t>(dim),
                              static_cast<uint32_t>(size)};
    L::launch_groups(device, kernel, {}, {{.data = &Runtime::error_status(device)}, {.data = &index.storage.data_ptr()}},
                     &push, 1);  // one workgroup: the first bad value in order is reported
  }

  static std::vector<int32_t> meta_of(std::initializer_list<const Shape*> parts) {
    std::vector<int32_t> meta{static_cast<int32_t>((*parts.begin())->size())};
    for (const Shape* p : parts)
      for (int64_t v : *p) meta.push_back(static_cast<int32_t>(v));
    return meta;
  }

  static void run(const IndexPlan& plan, IndexOp op, const IndexPush& push, const std::vector<int32_t>& meta,
                  const BufferArg& idx, uint32_t groups_for) {
    const TensorImpl& out = *plan.out;
    const int device = device_of(out);
    const Kernel& kernel = L::kernel_for("index." + std::string(variant_suffix(out.dtype)), plan.op, out.dtype, device);
    const BufferArg meta_arg{.bytes = meta.data(), .nbytes = meta.size() * sizeof(int32_t)};
    L::launch(device, kernel, {{0, static_cast<uint32_t>(op)}},
              {{.data = &out.storage.data_ptr()}, {.data = &plan.input->storage.data_ptr()}, idx, meta_arg}, &push,
              groups_for);
  }

  /** gather; `check_values` false for an index known to be in range. */
  static bool gather(const IndexPlan& plan, bool check_values = true) {
    const TensorImpl& out = *plan.out;
    const TensorImpl& x = *plan.input;
    const TensorImpl& index = *plan.index;
    if (x.dtype != out.dtype || index.dtype != DType::Int64 || !index.contiguous || !out.contiguous) return false;
    const int64_t size = x.dim() == 0 ? 1 : x.sizes[static_cast<size_t>(plan.dim)];
    if (check_values) check(index, 0, size, IndexCheck::OutOfBounds, "gather", plan.dim, size);
    if (out.numel == 0) return true;
    check_index_range(x, plan.op);
    check_index_range(out, plan.op);
    Shape sizes = index.sizes, strides;
    for (size_t d = 0; d < sizes.size(); ++d) strides.push_back(x.dim() == 0 ? 0 : x.strides[d]);
    if (sizes.empty()) sizes.push_back(1), strides.push_back(0);
    const std::vector<int32_t> meta = meta_of({&sizes, &strides});
    const IndexPush push{static_cast<uint32_t>(out.numel), static_cast<uint32_t>(out.offset), static_cast<uint32_t>(x.offset),
                         static_cast<uint32_t>(index.offset), static_cast<uint32_t>(plan.dim), static_cast<uint32_t>(size),
                         0, 0, 0};
    run(plan, kGather, push, meta, {.data = &index.storage.data_ptr()}, push.n);
    return true;
  }

  static bool scatter(const IndexPlan& plan) {
    const TensorImpl& out = *plan.out;
    const TensorImpl& src = *plan.input;
    const TensorImpl& index = *plan.index;
    if (src.dtype != out.dtype || index.dtype != DType::Int64 || !index.contiguous) return false;
    const char* what = plan.what ? plan.what : plan.op;
    const int64_t size = out.dim() == 0 ? 1 : out.sizes[static_cast<size_t>(plan.dim)];
    check(index, 0, size, IndexCheck::OutOfBounds, what, plan.dim, size);
    if (out.numel == 0 || index.numel == 0) return true;
    check_index_range(src, plan.op);
    check_index_range(out, plan.op);
    // Over index's dims; a 0-dim out is one element that every index entry (all 0) hits.
    const size_t nd = std::max<size_t>(index.sizes.size(), 1);
    Shape out_sizes, out_strides, idx_sizes, src_strides;
    for (size_t d = 0; d < nd; ++d) {
      const bool real = d < index.sizes.size();
      out_sizes.push_back(out.dim() == 0 ? 1 : out.sizes[d]);
      out_strides.push_back(out.dim() == 0 ? 0 : out.strides[d]);
      idx_sizes.push_back(real ? index.sizes[d] : 1);
      src_strides.push_back(real && src.dim() > 0 ? src.strides[d] : 0);
    }
    const std::vector<int32_t> meta = meta_of({&out_sizes, &out_strides, &idx_sizes, &src_strides});
    int64_t n = 1;
    for (int64_t s : out_sizes) n *= s;
    const IndexPush push{static_cast<uint32_t>(n), static_cast<uint32_t>(out.offset), static_cast<uint32_t>(src.offset),
                         static_cast<uint32_t>(index.offset), static_cast<uint32_t>(plan.dim), static_cast<uint32_t>(size),
                         0, 0, 0};
    run(plan, scatter_op(plan), push, meta, {.data = &index.storage.data_ptr()}, push.n);
    return true;
  }

  // x[idx] and index_put: the slice offsets are a device tensor (plan.index) or the host's
  // (plan.slices, uploaded); the other dims' offsets come from rest_sizes and rest_strides.
  static bool slices(const IndexPlan& plan, bool put) {
    const TensorImpl& out = *plan.out;
    const TensorImpl& in = *plan.input;
    if (in.dtype != out.dtype || !plan.rest_sizes || !plan.rest_strides) return false;
    if (!plan.slices && (!plan.index || plan.index->dtype != DType::Int64 || !plan.index->contiguous)) return false;
    const TensorImpl& strided = put ? out : in;  // the indexed tensor
    const TensorImpl& flat = put ? in : out;     // [slices, rest], contiguous
    if (!flat.contiguous) return false;
    const int64_t nb = plan.slices ? static_cast<int64_t>(plan.slices->size()) : plan.index->numel;
    int64_t nr = 1;
    for (int64_t s : *plan.rest_sizes) nr *= s;
    if (nb == 0 || nr == 0) return true;
    check_index_range(flat, plan.op);
    const int64_t limit = static_cast<int64_t>(strided.storage.nbytes() / static_cast<size_t>(element_size(strided.dtype)));
    TS_CHECK(limit < (int64_t{1} << 31), plan.op, ": tensors of 2^31 elements or more (", limit, " elements of ",
             strided.dtype, ") are not supported on ", strided.storage.device());
    const std::vector<int32_t> meta = meta_of({plan.rest_sizes, plan.rest_strides});
    const IndexPush push{static_cast<uint32_t>(nb * nr),
                         static_cast<uint32_t>(out.offset),
                         static_cast<uint32_t>(in.offset),
                         plan.slices ? 0u : static_cast<uint32_t>(plan.index->offset),
                         0,
                         0,
                         static_cast<uint32_t>(nr),
                         static_cast<uint32_t>(nb),
                         static_cast<uint32_t>(limit)};
    TS_CHECK(nb * nr < (int64_t{1} << 31), plan.op, ": tensors of 2^31 elements or more are not supported on ",
             out.storage.device());
    const BufferArg idx = plan.slices ? BufferArg{.bytes = plan.slices->data(), .nbytes = plan.slices->size() * sizeof(int64_t)}
                                      : BufferArg{.data = &plan.index->storage.data_ptr()};
    if (!put || nb <= kSortAbove) {
      run(plan, put ? (plan.accumulate ? kIndexPutAdd : kIndexPut) : kIndex, push, meta, idx, push.n);
      return true;
    }
    // Note [Sorted index_put]: (offset, slice) pairs sorted in a scratch buffer, which the
    // runtime keeps until the launches that bind it have finished.
    const uint32_t p = std::bit_ceil(static_cast<uint32_t>(nb));
    TS_CHECK(p < (uint32_t{1} << 30), plan.op, ": more than 2^30 index values are not supported on ", out.storage.device());
    const int device = device_of(out);
    const Storage pairs = Storage::allocate(size_t{2} * p * sizeof(int64_t), out.storage.device(), plan.op);
    const Kernel& sort = L::kernel_for("index_sort.i64", plan.op, DType::Int64, device);
    const SortPush sort_push{p, static_cast<uint32_t>(nb), push.idx_offset, 0, 0, p};
    launch_index_sort<Runtime>(device, sort, 0, sort_push, pairs.data_ptr(), p, idx);
    sort_pairs<Runtime>(device, sort, sort_push, pairs.data_ptr());
    IndexPush sorted = push;
    sorted.idx_offset = 0;
    sorted.size = p;
    run(plan, plan.accumulate ? kSortedPutAdd : kSortedPut, sorted, meta, {.data = &pairs.data_ptr()}, sorted.n);
    return true;
  }

  /** Whether no two coordinates of `sizes` reach the same offset through `strides` (sufficient
   *  test: sorted by stride, each stride passes the extent of the smaller ones). */
  static bool one_to_one(const Shape& sizes, const Shape& strides) {
    std::vector<std::pair<int64_t, int64_t>> dims;  // (stride, size)
    for (size_t d = 0; d < sizes.size(); ++d)
      if (sizes[d] > 1) dims.emplace_back(strides[d], sizes[d]);
    std::sort(dims.begin(), dims.end());
    int64_t extent = 0;  // the largest offset of the dims so far
    for (const auto& [stride, size] : dims) {
      if (stride <= extent) return false;
      extent += stride * (size - 1);
    }
    return true;
  }

  static bool strided_add(const IndexPlan& plan) {
    const TensorImpl& out = *plan.out;
    const TensorImpl& g = *plan.input;
    if (g.dtype != out.dtype || !g.contiguous || !out.contiguous || !plan.rest_sizes || !plan.rest_strides) return false;
    if (g.numel == 0) return true;
    check_index_range(g, plan.op);
    check_index_range(out, plan.op);
    const bool direct = one_to_one(*plan.rest_sizes, *plan.rest_strides);
    if (!direct && static_cast<double>(out.numel) * static_cast<double>(g.numel) > 0x1p30) return false;
    const std::vector<int32_t> meta = meta_of({plan.rest_sizes, plan.rest_strides});
    const IndexPush push{static_cast<uint32_t>(direct ? g.numel : out.numel - plan.offset),
                         static_cast<uint32_t>(out.offset + plan.offset),
                         static_cast<uint32_t>(g.offset),
                         0,
                         0,
                         static_cast<uint32_t>(g.numel),
                         0,
                         0,
                         0};
    run(plan, direct ? kStridedAdd : kStridedAddScan, push, meta, placeholder_buffer(),
        push.n);
    return true;
  }
};

/** Runs an index plan on the GPU; false when the host must (Note [Host fallbacks]). */
template <class Runtime>
bool index_on_gpu(const IndexPlan& plan) {
  using I = IndexLaunch<Runtime>;
  const std::string_view op = plan.op;
  if (op == "check_index") {
    I::check(*plan.index, plan.lo, plan.hi, plan.check, plan.what, plan.dim, plan.hi);
    return true;
  }
  if (op == "gather") return I::gather(plan);
  if (op == "scatter" || op == "scatter_reduce") return I::scatter(plan);
  if (op == "index") return I::slices(plan, false);
  if (op == "index_put") return I::slices(plan, true);
  if (op == "as_strided_backward") return I::strided_add(plan);
  return false;
}

}  // namespace tessera::gpu::detail
