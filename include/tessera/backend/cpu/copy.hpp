#pragma once
// CPU copy kernels: converting, broadcasting, strided copies (tiled when they transpose) and fills.

#include <cstring>

#include "../../core/convert.hpp"
#include "../../core/tensor_impl.hpp"
#include "../../iter/strided_loop.hpp"
#include "../../parallel/parallel_for.hpp"
#include "vectorized.hpp"

namespace tessera::detail {

/** out[0, n) = value: one memset when the value's bytes are all equal (zero, say), else whole
 *  64-byte copies of a repeating pattern (a plain loop of stores stays scalar at -O2). */
template <class T>
void fill_run(T* out, int64_t n, T value) {
  unsigned char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  bool uniform = true;
  for (size_t k = 1; k < sizeof(T); ++k) uniform = uniform && bytes[k] == bytes[0];
  if (uniform) {
    std::memset(static_cast<void*>(out), bytes[0], static_cast<size_t>(n) * sizeof(T));
    return;
  }
  int64_t i = 0;
  if constexpr (64 % sizeof(T) == 0) {
    constexpr int64_t kPer = 64 / static_cast<int64_t>(sizeof(T));
    T pattern[kPer];
    for (T& v : pattern) v = value;
    for (; i + kPer <= n; i += kPer) std::memcpy(out + i, pattern, sizeof pattern);
  }
  for (; i < n; ++i) out[i] = value;
}

template <class D, class S>
void copy_run(const std::array<char*, 2>& p, const std::array<int64_t, 2>& s, int64_t n) {
  D* out = reinterpret_cast<D*>(p[0]);
  const char* in = p[1];
  if (s[0] == sizeof(D) && s[1] == sizeof(S)) {
    const S* x = reinterpret_cast<const S*>(in);
    if constexpr (std::is_same_v<D, S>) std::memcpy(out, x, static_cast<size_t>(n) * sizeof(D));
    else for (int64_t i = 0; i < n; ++i) out[i] = convert<D>(x[i]);
  } else if (s[0] == sizeof(D) && s[1] == 0) {
    fill_run(out, n, convert<D>(*reinterpret_cast<const S*>(in)));
  } else {
    char* o = p[0];
    for (int64_t i = 0; i < n; ++i, o += s[0], in += s[1])
      *reinterpret_cast<D*>(o) = convert<D>(*reinterpret_cast<const S*>(in));
  }
}

// Note [Tiled transpose]
// A copy whose destination is contiguous along one dimension while the source is contiguous
// along another (x.t().contiguous()) reads or writes with a large stride either way. Copying
// in tiles keeps both sides of a tile in cache, so the copy runs at memory speed; 4-byte
// elements move as 8 x 8 blocks transposed in vector registers (transpose_block8).
template <class D, class S>
bool tiled_transpose_copy(const StridedLoop<2>& loop) {
  if (loop.ndim() < 2 || loop.stride(0, 0) != sizeof(D) || loop.stride(1, 1) != sizeof(S) ||
      loop.stride(1, 0) == sizeof(S) || loop.size(0) < 32 || loop.size(1) < 32)
    return false;
  constexpr int64_t tile = 64;
  const int64_t n0 = loop.size(0), n1 = loop.size(1), outer = loop.numel() / (n0 * n1);
  const int64_t d1 = loop.stride(0, 1), s0 = loop.stride(1, 0);
  const int64_t tiles1 = (n1 + tile - 1) / tile;
  [[maybe_unused]] const bool blocks = simd_level() >= SimdLevel::AVX2;  // for 4-byte copies, below
  parallel_for(0, outer * tiles1, std::max<int64_t>(1, kGrainSize / (tile * n0)), [&](int64_t first, int64_t last) {
    for (int64_t t = first; t < last; ++t) {
      const int64_t o = t / tiles1, j0 = (t % tiles1) * tile, j1 = std::min(n1, j0 + tile);
      // the outer dims beyond the first two: walk them with the loop's own strides
      int64_t rest = o, dst_off = 0, src_off = 0;
      for (size_t d = 2; d < static_cast<size_t>(loop.ndim()); ++d) {
        const int64_t c = rest % loop.size(d);
        rest /= loop.size(d);
        dst_off += c * loop.stride(0, d);
        src_off += c * loop.stride(1, d);
      }
      char* dst = loop.base()[0] + dst_off;
      const char* src = loop.base()[1] + src_off;
      const auto element = [&](int64_t i, int64_t j) {
        *reinterpret_cast<D*>(dst + j * d1 + i * int64_t{sizeof(D)}) = convert<D>(*reinterpret_cast<const S*>(src + i * s0 + j * int64_t{sizeof(S)}));
      };
      for (int64_t i0 = 0; i0 < n0; i0 += tile) {
        const int64_t i1 = std::min(n0, i0 + tile);
        int64_t i_done = i0, j_done = j0;  // the block-transposed part is [i0, i_done) x [j0, j_done)
#if TS_HAS_X86_DISPATCH
        if constexpr (std::is_same_v<D, S> && sizeof(D) == 4) {
          if (blocks) {
            i_done = i0 + (i1 - i0) / 8 * 8;
            j_done = j0 + (j1 - j0) / 8 * 8;
            for (int64_t j = j0; j < j_done; j += 8)
              for (int64_t i = i0; i < i_done; i += 8)
                transpose_block8(src + i * s0 + j * 4, s0, dst + j * d1 + i * 4, d1);
          }
        }
#endif
        for (int64_t j = j0; j < j1; ++j)  // what the blocks left: the last columns, then the last rows
          for (int64_t i = j < j_done ? i_done : i0; i < i1; ++i) element(i, j);
      }
    }
  });
  return true;
}

/** dst[...] = convert(src[...]) for known element types; `strides` are src's, broadcast to dst. */
template <class D, class S>
void copy_kernel(const TensorImpl& dst, const TensorImpl& src, const Shape& strides) {
  StridedLoop<2> loop(dst.sizes, {dst.data(), src.data()}, {&dst.strides, &strides},
                      {static_cast<int64_t>(sizeof(D)), static_cast<int64_t>(sizeof(S))});
  if (tiled_transpose_copy<D, S>(loop)) return;
  parallel_for(0, loop.numel(), kGrainSize, [&](int64_t begin, int64_t end) { loop.run(copy_run<D, S>, begin, end); });
}

/** out[i] = convert<double>(in[i * stride]) for n elements of the floating type `from`. */
inline void load_floating_as_double(DType from, const char* in, int64_t stride, int64_t n, double* out) {
  const auto load = [&]<class S>(std::type_identity<S>) {
    for (int64_t i = 0; i < n; ++i, in += stride) out[i] = convert<double>(*reinterpret_cast<const S*>(in));
  };
  switch (from) {
    case DType::Float16: return load(std::type_identity<half>{});
    case DType::BFloat16: return load(std::type_identity<bfloat16>{});
    case DType::Float32: return load(std::type_identity<float>{});
    default: return load(std::type_identity<double>{});
  }
}

/** out[i * stride] = convert<T>(in[i]) for n elements of the floating type `to`. */
inline void store_floating_from_double(DType to, const double* in, int64_t n, char* out, int64_t stride) {
  const auto store = [&]<class D>(std::type_identity<D>) {
    for (int64_t i = 0; i < n; ++i, out += stride) *reinterpret_cast<D*>(out) = convert<D>(in[i]);
  };
  switch (to) {
    case DType::Float16: return store(std::type_identity<half>{});
    case DType::BFloat16: return store(std::type_identity<bfloat16>{});
    case DType::Float32: return store(std::type_identity<float>{});
    default: return store(std::type_identity<double>{});
  }
}

/** dst = src (same shape) converted between floating types known at run time only (Note [Casts
 *  without types] in ops/copy.hpp). Through double, which holds every value of the others
 *  exactly: converting from it gives what convert<D>(x) gives, since convert<D> of a half,
 *  bfloat16 or float goes through float, and double to half or bfloat16 through float too. */
inline void convert_floating_kernel(const TensorImpl& dst, const TensorImpl& src) {
  StridedLoop<2> loop(dst.sizes, {dst.data(), src.data()}, {&dst.strides, &src.strides},
                      {element_size(dst.dtype), element_size(src.dtype)});
  parallel_for(0, loop.numel(), kGrainSize, [&](int64_t begin, int64_t end) {
    loop.run([&](const std::array<char*, 2>& p, const std::array<int64_t, 2>& s, int64_t n) {
      constexpr int64_t kBlock = 256;
      double block[kBlock];
      for (int64_t i = 0; i < n; i += kBlock) {
        const int64_t m = std::min(kBlock, n - i);
        load_floating_as_double(src.dtype, p[1] + i * s[1], s[1], m, block);
        store_floating_from_double(dst.dtype, block, m, p[0] + i * s[0], s[0]);
      }
    }, begin, end);
  });
}

/** Every element of dst = value. */
template <class T>
void fill_kernel(const TensorImpl& dst, T value) {
  if (dst.is_contiguous()) {  // threads split it (no element is written twice)
    T* out = reinterpret_cast<T*>(dst.data());
    parallel_for(0, dst.numel, kGrainSize, [&](int64_t begin, int64_t end) { fill_run(out + begin, end - begin, value); });
  } else {
    StridedLoop<1> loop(dst.sizes, {dst.data()}, {&dst.strides}, {static_cast<int64_t>(sizeof(T))});
    loop.run([value](const std::array<char*, 1>& p, const std::array<int64_t, 1>& s, int64_t n) {
      if (s[0] == sizeof(T)) {
        fill_run(reinterpret_cast<T*>(p[0]), n, value);
      } else {
        char* o = p[0];
        for (int64_t i = 0; i < n; ++i, o += s[0]) *reinterpret_cast<T*>(o) = value;
      }
    });
  }
}

}  // namespace tessera::detail
