#pragma once
// The sort family on a GPU: sort, topk, kthvalue, median, nanmedian and mode along one dim
// (Note [Sorting rows on the GPU]), and searchsorted and bincount (glsl/search.comp).

#include <bit>
#include <cstdint>
#include <string>
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

// search.comp's push constants.
struct SearchPush {
  uint32_t n, m, per_row, right, sorted, a_offset, b_offset, c_offset, out_offset, weighted, p;
  int32_t lo_lo, lo_hi;
};

/** searchsorted: one thread per value (contiguous, of the boundaries' type) searches its row of
 *  the contiguous boundaries, through the sorter if any (its values checked by the op). */
template <class Runtime>
bool searchsorted_on_gpu(const ::tessera::detail::SortPlan& plan) {
  const TensorImpl& out = *plan.out;
  const TensorImpl& bd = *plan.input;
  const TensorImpl& values = *plan.other;
  if (!out.contiguous || !bd.contiguous || !values.contiguous || values.dtype != bd.dtype) return false;
  if (plan.sorter && (!plan.sorter->contiguous || plan.sorter->dtype != DType::Int64)) return false;
  const int64_t n = values.numel;
  if (n == 0) return true;
  for (const TensorImpl* t : {&out, &bd, &values}) check_index_range(*t, plan.op);
  // The rows as the CPU's searchsorted_into: one for 1-D boundaries, else one per last-dim row.
  const int64_t m = bd.sizes.empty() ? 1 : bd.sizes.back();
  const int64_t rows = bd.sizes.size() <= 1 || m == 0 ? 1 : bd.numel / m;
  const int device = device_of(out);
  const Kernel& kernel = Launch<Runtime>::kernel_for(out.dtype == DType::Int32 ? "search.i32" : "search.i64", plan.op,
                                                     bd.dtype, device);
  const SearchPush push{static_cast<uint32_t>(n),
                        static_cast<uint32_t>(m),
                        static_cast<uint32_t>(n / rows),
                        plan.right ? 1u : 0u,
                        plan.sorter ? 1u : 0u,
                        static_cast<uint32_t>(bd.offset),
                        static_cast<uint32_t>(values.offset),
                        plan.sorter ? static_cast<uint32_t>(plan.sorter->offset) : 0u,
                        static_cast<uint32_t>(out.offset),
                        0, 0, 0, 0};
  const BufferArg sorter = plan.sorter ? BufferArg{.data = &plan.sorter->storage.data_ptr()} : placeholder_buffer();
  Launch<Runtime>::launch(device, kernel, {{0, 0}, {1, static_cast<uint32_t>(bd.dtype)}},
                          {{.data = &out.storage.data_ptr()}, {.data = &bd.storage.data_ptr()},
                           {.data = &values.storage.data_ptr()}, sorter},
                          &push, push.n);
  return true;
}

/** bincount: (value, position) pairs sorted by index_sort's network, then one thread per bin
 *  adds the weights (or ones) of its run in position order, as the CPU's loop. */
template <class Runtime>
bool bincount_on_gpu(const ::tessera::detail::SortPlan& plan) {
  const TensorImpl& out = *plan.out;
  const TensorImpl& values = *plan.input;
  const TensorImpl* weights = plan.other;
  if (!out.contiguous || !values.contiguous || (weights && (!weights->contiguous || weights->dtype != out.dtype)))
    return false;
  const int64_t n = values.numel;
  if (n == 0 || out.numel == 0) return true;  // out holds zeros
  const uint64_t p = std::bit_ceil(static_cast<uint64_t>(n));
  if (p >= (uint64_t{1} << 30)) return false;
  check_index_range(out, plan.op);
  check_index_range(values, plan.op);
  const int device = device_of(out);
  const Kernel& fill = Launch<Runtime>::kernel_for("search.i64", plan.op, values.dtype, device);
  const Kernel& sums = Launch<Runtime>::kernel_for("search." + std::string(variant_suffix(out.dtype)), plan.op,
                                                   out.dtype, device);
  const Kernel& sort = Launch<Runtime>::kernel_for("index_sort.i64", plan.op, DType::Int64, device);
  const Storage pairs = Storage::allocate(size_t{2} * p * sizeof(int64_t), out.storage.device(), plan.op);
  const uint64_t lo = static_cast<uint64_t>(plan.k);
  SearchPush push{static_cast<uint32_t>(p), static_cast<uint32_t>(n), 0, 0, 0, 0,
                  static_cast<uint32_t>(values.offset), 0, 0, 0, static_cast<uint32_t>(p),
                  static_cast<int32_t>(static_cast<uint32_t>(lo)), static_cast<int32_t>(static_cast<uint32_t>(lo >> 32))};
  const BufferArg none = placeholder_buffer();
  Launch<Runtime>::launch(device, fill, {{0, 2}, {1, static_cast<uint32_t>(values.dtype)}},
                          {{.data = &pairs.data_ptr()}, none, {.data = &values.storage.data_ptr()}, none}, &push, push.n);
  sort_pairs<Runtime>(device, sort, SortPush{push.p, push.m, 0, 0, 0, push.p}, pairs.data_ptr());
  push.n = static_cast<uint32_t>(out.numel);
  push.b_offset = weights ? static_cast<uint32_t>(weights->offset) : 0;
  push.out_offset = static_cast<uint32_t>(out.offset);
  push.weighted = weights ? 1 : 0;
  Launch<Runtime>::launch(device, sums, {{0, 1}, {1, static_cast<uint32_t>(out.dtype)}},
                          {{.data = &out.storage.data_ptr()}, {.data = &pairs.data_ptr()},
                           weights ? BufferArg{.data = &weights->storage.data_ptr()} : none, none},
                          &push, push.n);
  return true;
}

/** Queues a sort-family plan, or returns false for one the host runs: outputs that are not
 *  contiguous, and 2^30 padded keys or more. */
template <class Runtime>
bool sort_on_gpu(const ::tessera::detail::SortPlan& plan) {
  const std::string_view op = plan.op;
  if (op == "searchsorted") return searchsorted_on_gpu<Runtime>(plan);
  if (op == "bincount") return bincount_on_gpu<Runtime>(plan);
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
