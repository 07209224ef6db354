#pragma once
// The sort family on a GPU: sort, topk, kthvalue, median, nanmedian and mode along one dim
// (Note [Sorting rows on the GPU]). searchsorted and bincount run on the host.

#include <bit>
#include <cstdint>
#include <string_view>
#include <vector>

#include "../../core/storage.hpp"
#include "../../iter/plan.hpp"
#include "bitonic.hpp"
#include "index.hpp"
#include "launch.hpp"

namespace tessera::gpu::detail {

// Note [Sorting rows on the GPU]
// The CPU sorts each row stably on order keys (Note [Sort keys] in backend/cpu/sort.hpp), so its
// result is the row ordered by (key, position). index_sort's OP 5 writes exactly these pairs,
// each row padded to a power of two with (INT64_MAX, position >= n), which sort last; the
// bitonic network sorts every row at once (pairs are a total order, so the result is the CPU's);
// OP 6 writes the positions each op selects into the indices output (sort and topk the first n
// or k, kthvalue the k-th, median and nanmedian after counting the NaNs at the end of the row,
// mode from the runs of equal keys), and gather reads the values at those positions. Every
// result is the CPU's bit for bit.

enum SortSelect : uint32_t { kSelectPrefix = 0, kSelectRank = 1, kSelectMedian = 2, kSelectNanMedian = 3, kSelectMode = 4 };

/** Queues a sort-family plan, or returns false for one the host runs: searchsorted, bincount,
 *  outputs that are not contiguous, and 2^30 padded keys or more. */
template <class Runtime>
bool sort_on_gpu(const ::tessera::detail::SortPlan& plan) {
  const std::string_view op = plan.op;
  uint32_t select;
  if (op == "sort" || op == "topk") select = kSelectPrefix;
  else if (op == "kthvalue") select = kSelectRank;
  else if (op == "median") select = kSelectMedian;
  else if (op == "nanmedian") select = kSelectNanMedian;
  else if (op == "mode") select = kSelectMode;
  else return false;
  const TensorImpl& values = *plan.out;
  const TensorImpl& indices = *plan.indices;
  const TensorImpl& x = *plan.input;
  if (values.numel == 0) return true;
  if (!values.contiguous || !indices.contiguous || values.dtype != x.dtype) return false;
  const bool scalar = x.sizes.empty();
  const size_t dim = scalar ? 0 : static_cast<size_t>(plan.dim);
  const int64_t n = scalar ? 1 : x.sizes[dim];
  if (n == 0 || n >= (int64_t{1} << 30)) return false;
  const auto row = std::bit_ceil(static_cast<uint64_t>(n));
  const uint64_t p = static_cast<uint64_t>(x.numel / n) * row;
  if (p >= (uint64_t{1} << 30)) return false;
  check_index_range(x, plan.op);
  check_index_range(values, plan.op);
  check_index_range(indices, plan.op);
  const int device = device_of(values);
  const Storage pairs = Storage::allocate(size_t{2} * p * sizeof(int64_t), values.storage.device(), plan.op);
  const Kernel& sort = Launch<Runtime>::kernel_for("index_sort.i64", plan.op, x.dtype, device);
  SortPush push{static_cast<uint32_t>(p), static_cast<uint32_t>(n), static_cast<uint32_t>(x.offset), 0, 0,
                static_cast<uint32_t>(row)};
  push.src_stride = scalar ? 0 : static_cast<uint32_t>(x.strides[dim]);
  push.descending = plan.descending ? 1 : 0;
  push.out_offset = static_cast<uint32_t>(indices.offset);
  push.out_stride = scalar ? 0 : static_cast<uint32_t>(indices.strides[dim]);
  push.out_len = scalar ? 1 : static_cast<uint32_t>(indices.sizes[dim]);
  push.select = select;
  push.rank = select == kSelectRank ? static_cast<uint32_t>(plan.k - 1) : 0;
  const std::vector<int32_t> meta = row_meta({&indices, &x}, dim);
  const BufferArg meta_arg{.bytes = meta.data(), .nbytes = meta.size() * sizeof(int32_t)};
  launch_index_sort<Runtime>(device, sort, 5, push, pairs.data_ptr(), push.p, {.data = &x.storage.data_ptr()}, {}, meta_arg,
                             x.dtype);
  sort_pairs<Runtime>(device, sort, push, pairs.data_ptr());
  launch_index_sort<Runtime>(device, sort, 6, push, pairs.data_ptr(), static_cast<uint32_t>(indices.numel), {},
                             {.data = &indices.storage.data_ptr()}, meta_arg, x.dtype);
  const ::tessera::detail::IndexPlan gather{.op = plan.op, .out = &values, .input = &x, .index = &indices,
                                            .dim = static_cast<int64_t>(dim)};
  return IndexLaunch<Runtime>::gather(gather, false);
}

}  // namespace tessera::gpu::detail
