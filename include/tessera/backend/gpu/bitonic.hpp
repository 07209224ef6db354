#pragma once
// The bitonic network of glsl/index_sort.comp: (key, value) pairs of int64 sorted in rows of a
// power of two, shared by index_put (Note [Sorted index_put]), randperm (Note [randperm on the
// GPU]) and the sort family (Note [Sorting rows on the GPU]).

#include <cstdint>
#include <initializer_list>

#include "launch.hpp"

namespace tessera::gpu::detail {

// index_sort.comp's push constants. `row` (keys per row, a power of two dividing p) is p for
// one array.
struct SortPush {
  uint32_t p, nb, src_offset, j, k, row;
  uint32_t src_stride = 0, descending = 0, out_offset = 0, out_stride = 0, out_len = 0, select = 0, rank = 0;
};

/** Queues index_sort's `op` over n threads with its four buffers: `pairs`, and `src`, `out` and
 *  `meta` where the op reads or writes them (an op that does not is given a placeholder).
 *  `in_dt` is the sorted tensor's dtype (OP 5 and 6). */
template <class Runtime>
void launch_index_sort(int device, const Kernel& sort, uint32_t op, const SortPush& push, const DataPtr& pairs,
                       uint32_t n, BufferArg src = {}, BufferArg out = {}, BufferArg meta = {}, DType in_dt = DType::Int64) {
  const auto or_placeholder = [](BufferArg b) { return b.data || b.bytes ? b : placeholder_buffer(); };
  Launch<Runtime>::launch(device, sort, {{0, op}, {1, static_cast<uint32_t>(in_dt)}},
                          {{.data = &pairs}, or_placeholder(src), or_placeholder(out), or_placeholder(meta)}, &push, n);
}

/** Sorts the `push.p` pairs that OP 0, 2 or 5 of index_sort wrote into `pairs`, each row of
 *  `push.row` ascending: the bitonic network's steps j >= 256 one launch each, the rest in
 *  shared memory (Note [Bitonic steps in shared memory] in index_sort.comp). */
template <class Runtime>
void sort_pairs(int device, const Kernel& sort, SortPush push, const DataPtr& pairs) {
  constexpr uint32_t kRun = 256;  // WG_SIZE
  push.j = 0, push.k = 0;
  launch_index_sort<Runtime>(device, sort, 4, push, pairs, push.p);  // every run of 256 sorted
  for (uint32_t k = 2 * kRun; k <= push.row; k <<= 1) {
    for (uint32_t j = k >> 1; j >= kRun; j >>= 1) {
      push.j = j, push.k = k;
      launch_index_sort<Runtime>(device, sort, 1, push, pairs, push.p);
    }
    push.j = kRun >> 1;
    launch_index_sort<Runtime>(device, sort, 4, push, pairs, push.p);
  }
}

}  // namespace tessera::gpu::detail
