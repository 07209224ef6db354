#pragma once
// CPU kernels of the sort family: sort, topk, kthvalue, median, nanmedian and mode along one dim,
// row by row, on order keys (radix sort and radix select).

#include "../../core/algorithm.hpp"
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../../core/half.hpp"
#include "../../core/tensor_impl.hpp"
#include "../../iter/plan.hpp"
#include "../../iter/strided_loop.hpp"
#include "../../parallel/parallel_for.hpp"
#include "../../parallel/thread_pool.hpp"

namespace tessera::detail {

// Note [Sort keys]
// Every element maps to an unsigned integer of its width whose order is PyTorch's order for
// sort (aten/src/ATen/native/cpu/SortingKernel.cpp, KeyValueCompAsc): NaN is larger than
// everything and equal to every NaN, -0 equals 0 (both compare equal with <), integers and
// floats keep their order. Descending uses the complement of the key, so NaN comes first there,
// as in KeyValueCompDesc. All sorting here is stable on these keys: equal keys keep their order
// along the row, which is what PyTorch gives with stable=true, and one of the orders its
// unstable sort may give (the one it gives on rows of 16 or fewer elements, where std::sort is an
// insertion sort). Values are then read from the input at the sorted positions, so NaN payloads
// and the sign of zero are kept.
template <class T>
using sort_key_t = std::conditional_t<sizeof(T) == 1, uint8_t,
                                      std::conditional_t<sizeof(T) == 2, uint16_t,
                                                         std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;

template <class T>
inline sort_key_t<T> sort_key(T v) {
  using K = sort_key_t<T>;
  constexpr K sign = K(1) << (8 * sizeof(K) - 1);
  if constexpr (std::is_same_v<T, bool>) {
    return static_cast<K>(v ? 1 : 0);
  } else if constexpr (std::is_integral_v<T>) {
    const K bits = static_cast<K>(v);
    return std::is_signed_v<T> ? static_cast<K>(bits ^ sign) : bits;
  } else {
    K bits;
    if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) {
      bits = v.bits;
      constexpr K inf = std::is_same_v<T, half> ? 0x7C00 : 0x7F80;
      if ((bits & 0x7FFF) > inf) return std::numeric_limits<K>::max();  // NaN
      if ((bits & 0x7FFF) == 0) bits = 0;                                // -0 is 0
    } else {
      if (v != v) return std::numeric_limits<K>::max();
      if (v == 0) v = 0;
      std::memcpy(&bits, &v, sizeof bits);
    }
    return (bits & sign) ? static_cast<K>(~bits) : static_cast<K>(bits | sign);
  }
}

/** The value whose key (Note [Sort keys]) is `key`, or false for the keys that several values
 *  share (NaN, and zero of either sign), which must be read from the input. */
template <class T>
inline bool value_of_key(sort_key_t<T> key, T& v) {
  using K = sort_key_t<T>;
  constexpr K sign = K(1) << (8 * sizeof(K) - 1);
  if constexpr (std::is_same_v<T, bool>) {
    v = key != 0;
  } else if constexpr (std::is_integral_v<T>) {
    v = static_cast<T>(std::is_signed_v<T> ? static_cast<K>(key ^ sign) : key);
  } else {
    if (key == std::numeric_limits<K>::max() || key == sign) return false;
    const K bits = (key & sign) ? static_cast<K>(key ^ sign) : static_cast<K>(~key);
    if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) v = T::from_bits(bits);
    else std::memcpy(&v, &bits, sizeof v);
  }
  return true;
}

template <class T>
inline bool sort_is_nan(T v) {
  if constexpr (std::is_same_v<T, half>) return (v.bits & 0x7FFF) > 0x7C00;
  else if constexpr (std::is_same_v<T, bfloat16>) return (v.bits & 0x7FFF) > 0x7F80;
  else if constexpr (std::is_floating_point_v<T>) return v != v;
  else return false;
}

/** A key and the position of its element along the row. Rows hold fewer than 2^32 elements
 *  (the ops check it). */
template <class K>
struct KeyIndex {
  K key;
  uint32_t index;
};

/** Stable sort of `a[0, n)` by key, ascending; `tmp` has room for n more. Insertion sort for
 *  short rows, else LSD radix sort by bytes, skipping the bytes every key shares. */
template <class K>
void stable_sort_keys(KeyIndex<K>* a, KeyIndex<K>* tmp, int64_t n) {
  if (n <= 48) {
    for (int64_t i = 1; i < n; ++i) {
      const KeyIndex<K> v = a[i];
      int64_t j = i;
      for (; j > 0 && a[j - 1].key > v.key; --j) a[j] = a[j - 1];
      a[j] = v;
    }
    return;
  }
  constexpr int kBytes = static_cast<int>(sizeof(K));
  KeyIndex<K>* src = a;
  KeyIndex<K>* dst = tmp;
  // Long rows: each pass counts and scatters kChunks slices of the row on the pool's threads,
  // slice c's keys of each digit after those of slices before it, so the order (and the result)
  // is the serial one whatever the thread count.
  constexpr int kChunks = 4;
  ThreadPool& pool = ThreadPool::instance();
  const bool parallel = n >= (int64_t{1} << 16) && pool.num_threads() > 1 && !ThreadPool::in_parallel_region();
  for (int b = 0; parallel && b < kBytes; ++b) {
    const int64_t chunk = (n + kChunks - 1) / kChunks;
    uint32_t offsets[kChunks][256] = {};
    pool.run(kChunks, [&](int64_t c) {
      const int64_t lo = c * chunk, hi = std::min(n, lo + chunk);
      for (int64_t i = lo; i < hi; ++i) ++offsets[c][(src[i].key >> (8 * b)) & 0xFF];
    });
    uint32_t shared = 0;  // keys with a[0]'s digit: all of them means nothing to do
    for (int c = 0; c < kChunks; ++c) shared += offsets[c][(src[0].key >> (8 * b)) & 0xFF];
    if (shared == static_cast<uint32_t>(n)) continue;
    uint32_t sum = 0;
    for (int d = 0; d < 256; ++d)
      for (int c = 0; c < kChunks; ++c) {
        const uint32_t count = offsets[c][d];
        offsets[c][d] = sum;
        sum += count;
      }
    pool.run(kChunks, [&](int64_t c) {
      const int64_t lo = c * chunk, hi = std::min(n, lo + chunk);
      uint32_t* o = offsets[c];
      for (int64_t i = lo; i < hi; ++i) {
        const KeyIndex<K> v = src[i];
        dst[o[(v.key >> (8 * b)) & 0xFF]++] = v;
      }
    });
    std::swap(src, dst);
  }
  std::vector<uint32_t> counts;
  if (!parallel) {
    counts.assign(static_cast<size_t>(kBytes) * 256, 0);
    for (int64_t i = 0; i < n; ++i) {
      const K key = a[i].key;
      for (int b = 0; b < kBytes; ++b) ++counts[static_cast<size_t>(b) * 256 + ((key >> (8 * b)) & 0xFF)];
    }
  }
  for (int b = 0; !parallel && b < kBytes; ++b) {
    uint32_t* c = counts.data() + static_cast<size_t>(b) * 256;
    if (c[(a[0].key >> (8 * b)) & 0xFF] == static_cast<uint32_t>(n)) continue;  // every key shares this byte
    uint32_t sum = 0;
    for (int d = 0; d < 256; ++d) {
      const uint32_t count = c[d];
      c[d] = sum;
      sum += count;
    }
    for (int64_t i = 0; i < n; ++i) {
      const KeyIndex<K> v = src[i];
      dst[c[(v.key >> (8 * b)) & 0xFF]++] = v;
    }
    std::swap(src, dst);
  }
  if (src != a) std::memcpy(static_cast<void*>(a), src, static_cast<size_t>(n) * sizeof(KeyIndex<K>));
}

/** The k-th smallest key (1-based) of `a[0, n)` by radix select, and the rank of the wanted
 *  element among the keys equal to it in row order (1-based): PyTorch's order (Note [Sort keys]).
 *  `tmp` has room for n. */
template <class K>
std::pair<K, int64_t> select_key(const KeyIndex<K>* a, KeyIndex<K>* tmp, int64_t n, int64_t k) {
  constexpr int kBytes = static_cast<int>(sizeof(K));
  const KeyIndex<K>* cand = a;
  int64_t m = n, rank = k;
  K prefix = 0;
  for (int b = kBytes - 1; b >= 0; --b) {
    uint32_t counts[256] = {};
    for (int64_t i = 0; i < m; ++i) ++counts[(cand[i].key >> (8 * b)) & 0xFF];
    int d = 0;
    for (; rank > counts[d]; ++d) rank -= counts[d];
    prefix = static_cast<K>(prefix | (static_cast<K>(d) << (8 * b)));
    if (counts[d] == static_cast<uint32_t>(m)) continue;
    int64_t kept = 0;  // keep the candidates of digit d, in row order
    for (int64_t i = 0; i < m; ++i)
      if (((cand[i].key >> (8 * b)) & 0xFF) == static_cast<K>(d)) tmp[kept++] = cand[i];
    cand = tmp;
    m = kept;
  }
  return {prefix, rank};
}

// Note [topk among equal elements]
// PyTorch's CPU topk (aten/src/ATen/native/TopKImpl.h) orders a row's (value, index) pairs with
// std::partial_sort when k * 64 <= n, else with std::nth_element at k - 1 followed, when sorted,
// by std::sort of the first k - 1; equal elements come out in whatever order those unstable
// algorithms leave them, and with sorted=false the first k in nth_element's order. A row whose
// k kept keys are distinct, with no key outside equal to the k-th, has one answer, which the
// radix selection below finds fast. Any other row (and any unsorted one PyTorch does not sort) is
// ordered again by the same standard algorithms on the row's keys in row order: their steps
// depend on nothing but the comparisons, and comparing keys is comparing as PyTorch does (NaN
// largest, -0 equal to 0), so the indices are PyTorch's exactly with the same C++ standard
// library (libstdc++ on Linux). partial_sort is run as its steps (libstdc++'s __heap_select,
// then __sort_heap): the first k in a heap, then every later element that goes before the heap's
// top takes the top's place, which std::pop_heap with the element put last does alike. Only
// those elements need looking at: a block of the row whose smallest key does not go before the
// top is passed whole, so a long row costs one parallel pass for the blocks' smallest keys.
template <class K, class KeyAt, class BlockKey>
void topk_as_pytorch(KeyIndex<K>* a, int64_t n, int64_t k, bool sorted, const KeyAt& key_at, const BlockKey& block_key) {
  const auto before = [](const KeyIndex<K>& x, const KeyIndex<K>& y) { return x.key < y.key; };
  const auto at = [&](int64_t i) { return KeyIndex<K>{key_at(i), static_cast<uint32_t>(i)}; };
  if (k * 64 > n) {
    for (int64_t i = 0; i < n; ++i) a[i] = at(i);
    std::nth_element(a, a + (k - 1), a + n, before);
    if (sorted) std::sort(a, a + (k - 1), before);
    return;
  }
  for (int64_t i = 0; i < k; ++i) a[i] = at(i);
  std::make_heap(a, a + k, before);
  constexpr int64_t kBlock = 64;
  const int64_t blocks = (n - k + kBlock - 1) / kBlock;
  std::vector<K> smallest(static_cast<size_t>(blocks));
  parallel_for(0, blocks, std::max<int64_t>(1, kGrainSize / kBlock), [&](int64_t lo, int64_t hi) {
    for (int64_t b = lo; b < hi; ++b) smallest[static_cast<size_t>(b)] = block_key(k + b * kBlock, std::min(n, k + (b + 1) * kBlock));
  });
  for (int64_t b = 0; b < blocks; ++b) {
    if (!(smallest[static_cast<size_t>(b)] < a[0].key)) continue;
    for (int64_t i = k + b * kBlock, end = std::min(n, i + kBlock); i < end; ++i) {
      const KeyIndex<K> e = at(i);
      if (before(e, a[0])) {
        a[k] = e;
        std::pop_heap(a, a + k + 1, before);
      }
    }
  }
  std::sort_heap(a, a + k, before);
}

/** The sort family on one row: what the plan's op asks, from the row's keys. */
enum class SortOp : uint8_t { Sort, TopK, KthValue, Median, NanMedian, Mode };

inline SortOp sort_op_of(const char* op) {
  const std::string_view name = op;
  if (name == "topk") return SortOp::TopK;
  if (name == "kthvalue") return SortOp::KthValue;
  if (name == "median") return SortOp::Median;
  if (name == "nanmedian") return SortOp::NanMedian;
  if (name == "mode") return SortOp::Mode;
  return SortOp::Sort;
}

/** Runs the sort family along `dim` of x, row by row (in parallel over rows: each row's result
 *  depends on that row only). `values` and `indices` have x's shape with `dim` of size k for
 *  topk, 1 for the others (kept), x's size for sort. A 0-dim x is one row of one element. */
template <class T>
void sort_rows(SortOp op, const TensorImpl& x, const TensorImpl& values, const TensorImpl& indices, int64_t dim,
               int64_t k, bool descending, bool sorted = true) {
  using K = sort_key_t<T>;
  if (values.numel == 0) return;
  const bool scalar = x.dim() == 0;
  Shape outer = x.sizes;
  if (!scalar) outer[dim] = 1;
  const int64_t n = scalar ? 1 : x.sizes[dim];
  const int64_t xs = scalar ? 0 : x.strides[dim], vs = scalar ? 0 : values.strides[dim],
                is = scalar ? 0 : indices.strides[dim];
  const StridedLoop<3> loop(outer, {x.data(), values.data(), indices.data()},
                            {&x.strides, &values.strides, &indices.strides},
                            {static_cast<int64_t>(sizeof(T)), static_cast<int64_t>(sizeof(T)), 8});
  const K flip = descending ? std::numeric_limits<K>::max() : K(0);
  parallel_for(0, loop.numel(), std::max<int64_t>(1, kGrainSize / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
    // Uninitialised: a long row's topk touches only the few keys it keeps.
    const std::unique_ptr<KeyIndex<K>[]> buffer(new KeyIndex<K>[static_cast<size_t>(2 * n)]);
    KeyIndex<K>* a = buffer.get();
    KeyIndex<K>* tmp = a + n;
    loop.run([&](const auto& p, const auto& s, int64_t count) {
      for (int64_t r = 0; r < count; ++r) {
        const T* in = reinterpret_cast<const T*>(p[0] + r * s[0]);
        T* vo = reinterpret_cast<T*>(p[1] + r * s[1]);
        int64_t* io = reinterpret_cast<int64_t*>(p[2] + r * s[2]);
        auto key_at = [&](int64_t i) { return static_cast<K>(sort_key(in[i * xs]) ^ flip); };
        // The smallest key of in[lo, hi): from the smallest (largest, descending) value, a loop
        // the compiler vectorises; a NaN is the first key descending (and the last ascending).
        auto block_key = [&](int64_t lo, int64_t hi) {
          if constexpr (std::is_arithmetic_v<T>) {
            constexpr bool floating = std::is_floating_point_v<T>;
            T m = descending ? (floating ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest())
                             : (floating ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max());
            bool nan = false;
            const auto reduce = [&](const T* values_in, int64_t step) {
              if (descending) {
                for (int64_t i = lo; i < hi; ++i) m = values_in[i * step] > m ? values_in[i * step] : m;
                if constexpr (floating)
                  for (int64_t i = lo; i < hi; ++i) nan |= values_in[i * step] != values_in[i * step];
              } else {
                for (int64_t i = lo; i < hi; ++i) m = values_in[i * step] < m ? values_in[i * step] : m;
              }
            };
            if (xs == 1) reduce(in, 1);  // contiguous rows: vectorised
            else reduce(in, xs);
            return nan ? K(0) : static_cast<K>(sort_key(m) ^ flip);
          } else {
            K m = std::numeric_limits<K>::max();
            for (int64_t i = lo; i < hi; ++i) m = std::min(m, key_at(i));
            return m;
          }
        };
        // (A long row alone splits its own loops over the threads; rows side by side do not.)
        auto build_keys = [&] {
          parallel_for(0, n, kGrainSize, [&](int64_t lo, int64_t hi) {
            for (int64_t i = lo; i < hi; ++i) a[i] = {key_at(i), static_cast<uint32_t>(i)};
          });
        };
        int64_t m = n;  // the keys in a: every element, or topk's candidates
        bool have_candidates = false;
        if (op == SortOp::TopK && k * 64 <= n && n >= (int64_t{1} << 15)) {
          // A long row and a small k: a threshold from every 64th key that at least k keys are
          // likely to pass; one pass keeps the keys up to it, in row order. When fewer than k
          // pass, the pass below starts again from a histogram.
          const int64_t samples = n / 64, rank = std::min(samples, k * samples / n * 2 + 32);
          std::vector<K> sample(static_cast<size_t>(samples));
          for (int64_t i = 0; i < samples; ++i) sample[static_cast<size_t>(i)] = key_at(i * 64);
          std::nth_element(sample.begin(), sample.begin() + (rank - 1), sample.end());
          const K threshold = sample[static_cast<size_t>(rank - 1)];
          // Fixed ranges of the row (as many as n alone decides) gather their candidates apart,
          // each at its own place in tmp, then join in row order: the same keys in the same
          // order on any number of threads.
          const int64_t ranges = std::min<int64_t>(64, std::max<int64_t>(1, n / kGrainSize));
          std::vector<int64_t> found(static_cast<size_t>(ranges));
          parallel_for(0, ranges, 1, [&](int64_t lo, int64_t hi) {
            for (int64_t c = lo; c < hi; ++c) {
              const int64_t begin = n * c / ranges, end = n * (c + 1) / ranges;
              KeyIndex<K>* out = tmp + begin;
              int64_t passed = 0;
              for (int64_t i = begin; i < end; ++i) {
                const K key = key_at(i);
                if (key <= threshold) out[passed++] = {key, static_cast<uint32_t>(i)};
              }
              found[static_cast<size_t>(c)] = passed;
            }
          });
          m = 0;
          for (int64_t c = 0; c < ranges; ++c) {
            const int64_t passed = found[static_cast<size_t>(c)];
            std::memmove(static_cast<void*>(a + m), tmp + n * c / ranges, static_cast<size_t>(passed) * sizeof(KeyIndex<K>));
            m += passed;
          }
          have_candidates = m >= k;
        }
        if (!have_candidates && op == SortOp::TopK && k * 8 < n && n >= (int64_t{1} << 15) && sizeof(K) >= 2) {
          // A long row and a small k: count the top 16 bits of every key, then keep the elements
          // whose top bits are at most those of the k-th smallest (in row order); only these are
          // selected among below.
          constexpr int kShift = sizeof(K) >= 2 ? 8 * static_cast<int>(sizeof(K)) - 16 : 0;
          std::vector<uint32_t> counts(65536, 0);
          for (int64_t i = 0; i < n; ++i) ++counts[static_cast<size_t>(key_at(i) >> kShift)];
          int64_t below = 0;
          size_t top = 0;
          while (below + counts[top] < k) below += counts[top++];
          m = 0;
          for (int64_t i = 0; i < n; ++i) {
            const K key = key_at(i);
            if (static_cast<size_t>(key >> kShift) <= top) a[m++] = {key, static_cast<uint32_t>(i)};
          }
        } else if (!have_candidates) {
          m = n;
          build_keys();
        }
        auto emit = [&](int64_t j, int64_t index) {
          vo[j * vs] = in[index * xs];
          io[j * is] = index;
        };
        int64_t kth = k;  // the rank kthvalue, median and nanmedian select
        if (op == SortOp::Median || op == SortOp::NanMedian) {
          int64_t nans = 0, first_nan = -1;
          for (int64_t i = 0; i < n; ++i)
            if (sort_is_nan(in[i * xs])) nans += 1, first_nan = first_nan < 0 ? i : first_nan;
          if (nans > 0 && (op == SortOp::Median || nans == n)) {  // median propagates NaN
            emit(0, first_nan);
            continue;
          }
          kth = (n - nans - 1) / 2 + 1;  // the lower median
        }
        switch (op) {
          case SortOp::Sort:
            stable_sort_keys(a, tmp, n);
            // The values come back from their keys, not from the input at random places.
            parallel_for(0, n, kGrainSize, [&](int64_t lo, int64_t hi) {
              for (int64_t j = lo; j < hi; ++j) {
                const int64_t index = a[j].index;
                T v;
                if (!value_of_key<T>(static_cast<K>(a[j].key ^ flip), v)) v = in[index * xs];
                vo[j * vs] = v;
                io[j * is] = index;
              }
            });
            break;
          case SortOp::TopK: {
            if (k == 0) break;
            bool equal_keys = false;  // Note [topk among equal elements]
            if (k * 8 >= m) {
              stable_sort_keys(a, tmp, m);
              for (int64_t j = 0; j + 1 < std::min(k + 1, m) && !equal_keys; ++j) equal_keys = a[j].key == a[j + 1].key;
            } else {
              // The k smallest keys in row order: those below the k-th and the first of its ties.
              const auto [key, rank] = select_key(a, tmp, m, k);
              int64_t kept = 0, ties = rank, with_key = 0;
              for (int64_t i = 0; i < m; ++i) {
                with_key += a[i].key == key;
                if (a[i].key < key || (a[i].key == key && ties-- > 0)) tmp[kept++] = a[i];
              }
              std::memcpy(static_cast<void*>(a), tmp, static_cast<size_t>(k) * sizeof(KeyIndex<K>));
              stable_sort_keys(a, tmp, k);
              equal_keys = with_key > 1;
              for (int64_t j = 0; j + 1 < k && !equal_keys; ++j) equal_keys = a[j].key == a[j + 1].key;
            }
            if (equal_keys || (!sorted && k > 1 && k * 64 > n)) topk_as_pytorch(a, n, k, sorted, key_at, block_key);
            for (int64_t j = 0; j < k; ++j) emit(j, a[j].index);
            break;
          }
          case SortOp::KthValue:
          case SortOp::Median:
          case SortOp::NanMedian: {
            const auto [key, rank] = select_key(a, tmp, n, kth);
            int64_t ties = rank;
            for (int64_t i = 0; i < n; ++i)
              if (a[i].key == key && --ties == 0) {
                emit(0, i);
                break;
              }
            break;
          }
          case SortOp::Mode: {
            // torch.mode: the smallest value of the longest run of equal values (a NaN is a run
            // of its own); its index is the last position of that value along the row.
            stable_sort_keys(a, tmp, n);
            int64_t best = 0, best_count = 0, run = 0;
            for (int64_t j = 0; j < n; ++j) {
              ++run;
              const bool nan = sort_is_nan(in[a[j].index * xs]);
              if (j == n - 1 || nan || a[j + 1].key != a[j].key) {
                if (run > best_count) best = j, best_count = run;
                run = 0;
              }
            }
            emit(0, a[best].index);
            break;
          }
        }
      }
    }, b, e);
  });
}

/** searchsorted on contiguous data: for each of the n values, its insertion point among the m
 *  boundaries of its row (`rows` rows of m; with one row every value searches it, else the values
 *  split evenly over the rows), read through `sorter` when given. The comparisons are PyTorch's
 *  (aten/src/ATen/native/Bucketization.cpp): !(b >= v) moves right (!(b > v) with `right`), so
 *  a NaN boundary counts as larger than everything. */
template <class C, class O>
void searchsorted_into(const C* boundaries, int64_t rows, int64_t m, const int64_t* sorter, const C* values, int64_t n,
                       O* out, bool right) {
  const int64_t per_row = rows <= 1 ? n : n / rows;
  parallel_for(0, n, kGrainSize / 16, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const int64_t row = rows <= 1 ? 0 : i / per_row;
      const C* bd = boundaries + row * m;
      const int64_t* sort = sorter ? sorter + row * m : nullptr;
      const C v = values[i];
      int64_t lo = 0, hi = m;
      while (lo < hi) {
        const int64_t mid = lo + ((hi - lo) >> 1);
        const C b_mid = sort ? bd[sort[mid]] : bd[mid];
        if (right ? !(b_mid > v) : !(b_mid >= v)) lo = mid + 1;
        else hi = mid;
      }
      out[i] = static_cast<O>(lo);
    }
  });
}

/** bincount on contiguous data: out[x[i] - lo] += weights[i] (or 1), in order, as PyTorch's
 *  loop (so float sums round as there). The op has checked that every x[i] - lo is in out. */
template <class T, class R>
void bincount_into(const T* x, int64_t n, int64_t lo, const R* weights, R* out) {
  for (int64_t i = 0; i < n; ++i) {
    R& bin = out[static_cast<int64_t>(x[i]) - lo];
    bin = static_cast<R>(bin + (weights ? weights[i] : R(1)));
  }
}

}  // namespace tessera::detail
