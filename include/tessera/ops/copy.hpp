#pragma once
// Copies and conversions: copy_, fill_, contiguous, clone, to<U>, to(Device), to_vector.

#include <cstring>

#include "../autograd/functions.hpp"
#include "../backend/cpu/vectorized.hpp"
#include "../backend/dispatch.hpp"
#include "../iter/strided_loop.hpp"
#include "../parallel/parallel_for.hpp"
#include "layout.hpp"

namespace tessera {
namespace detail {

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
      for (int64_t d = 2; d < loop.ndim(); ++d) {
        const int64_t c = rest % loop.size(d);
        rest /= loop.size(d);
        dst_off += c * loop.stride(0, d);
        src_off += c * loop.stride(1, d);
      }
      char* dst = loop.base()[0] + dst_off;
      const char* src = loop.base()[1] + src_off;
      const auto element = [&](int64_t i, int64_t j) {
        *reinterpret_cast<D*>(dst + j * d1 + i * sizeof(D)) = convert<D>(*reinterpret_cast<const S*>(src + i * s0 + j * sizeof(S)));
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

/** dst[...] = convert(src[...]) with src (of element type S) broadcast to dst's shape. */
template <class D, class S>
void copy_typed(const TensorImpl& dst, const TensorImpl& src, const char* op) {
  TS_CHECK(!has_internal_overlap(dst), op, ": unsupported operation: more than one element of the written-to tensor "
           "refers to a single memory location (shape ", shape_str(dst.sizes), ", strides ", shape_str(dst.strides),
           "). Please clone() the tensor before performing the operation.");
  const Shape src_strides = broadcast_strides(src.sizes, src.strides, dst.sizes, op);
  if (dst.numel == 0) return;
  dispatch_plan(CopyPlan{.op = op, .out = &dst, .input = &src}, [&] {
    if (may_overlap(dst, src) && !(dst.data() == src.data() && dst.strides == src_strides && dst.dtype == src.dtype)) {
      // Note [Overlapping copies]: read from a snapshot
      const TensorImpl staged(Storage::allocate(static_cast<size_t>(src.numel) * sizeof(S), src.storage.device()),
                              src.sizes, contiguous_strides(src.sizes), 0, src.dtype);
      copy_kernel<S, S>(staged, src, src.strides);
      copy_kernel<D, S>(dst, staged, broadcast_strides(staged.sizes, staged.strides, dst.sizes, op));
    } else {
      copy_kernel<D, S>(dst, src, src_strides);
    }
  });
  dst.storage.bump_version();
}

template <class T>
void fill_impl(const TensorImpl& dst, T value) {
  dispatch_plan(FillPlan{.op = "fill_", .out = &dst, .value = convert<double>(value)}, [&] {
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
  });
  dst.storage.bump_version();
}

}  // namespace detail

// Note [Overlapping copies]
// copy_ between views of the same bytes (x.copy_(x.t()), x[1:].copy_(x[:-1])) reads from a
// snapshot of the source, so the result is what the source held before the copy began.

template <class T>
template <class U>
const Tensor<T>& Tensor<T>::copy_(const Tensor<U>& src) const {
  std::shared_ptr<detail::Node> node;
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(*this, src)) node = detail::begin_inplace<detail::CopyBackwards<T, U>>(*this, {*this, src});
  detail::copy_typed<T, U>(impl(), src.impl(), "copy_");
  if (node) detail::finish_inplace(*this, node);
  return *this;
}

template <class T>
template <Scalar S>
const Tensor<T>& Tensor<T>::fill_(S value) const {
  TS_CHECK(!detail::has_internal_overlap(impl()), "fill_: unsupported operation: more than one element of the "
           "written-to tensor refers to a single memory location. Please clone() the tensor before performing the "
           "operation.");
  std::shared_ptr<detail::Node> node;
  if (detail::needs_grad(*this))
    node = detail::begin_inplace<detail::FillBackward<T>>(*this, {*this}, detail::convert<double>(value) == 0 ? "ZeroBackward0" : "FillBackward2");
  detail::fill_impl<T>(impl(), detail::convert<T>(value));
  if (node) detail::finish_inplace(*this, node);
  return *this;
}

template <class T>
Tensor<T> Tensor<T>::contiguous() const {
  if (is_contiguous()) return *this;
  Tensor<T> out = detail::empty_tensor<T>(sizes(), {.device = device()}, "contiguous");
  detail::copy_typed<T, T>(out.impl(), impl(), "contiguous");
  if (detail::needs_grad(*this)) detail::record<detail::CloneBackward0<T>>({*this}, {out});
  return out;
}

template <class T>
Tensor<T> Tensor<T>::clone() const {
  Tensor<T> out = detail::empty_like_preserving<T>(impl());
  detail::copy_typed<T, T>(out.impl(), impl(), "clone");
  if (detail::needs_grad(*this)) detail::record<detail::CloneBackward0<T>>({*this}, {out});
  return out;
}

template <class T>
template <class U>
Tensor<U> Tensor<T>::to() const {
  if constexpr (std::is_same_v<T, U>) {
    return *this;
  } else {
    Tensor<U> out = detail::empty_like_preserving<U>(impl());
    detail::copy_typed<U, T>(out.impl(), impl(), "to");
    if constexpr (is_floating_v<U>)
      if (detail::needs_grad(*this)) detail::record<detail::ToCopyBackward0<T, U>>({*this}, {out})->device = device();
    return out;
  }
}

// Note [Copies between devices]
// to(device) makes the source contiguous on its own device, then moves its bytes with the
// allocators' copies to and from the host (through host memory between two devices that are
// not the CPU), and records ToCopyBackward0, whose backward moves the gradient back.
template <class T>
Tensor<T> Tensor<T>::to(Device target) const {
  if (target == device()) return *this;
  const Device source = device();
  Tensor<T> out = detail::empty_tensor<T>(sizes(), {.device = target}, "to");
  {
    NoGradGuard no_grad;
    const Tensor<T> src = contiguous();
    const size_t bytes = static_cast<size_t>(numel()) * sizeof(T);
    const size_t src_offset = static_cast<size_t>(src.storage_offset()) * sizeof(T);
    DeviceAllocator& from = detail::device_allocator(source, "to");
    DeviceAllocator& into = detail::device_allocator(target, "to");
    if (source.is_cpu()) {
      into.copy_from_host(out.storage().data_ptr(), 0, src.kernel_data(), bytes);
    } else if (target.is_cpu()) {
      from.copy_to_host(out.kernel_data(), src.storage().data_ptr(), src_offset, bytes);
    } else {
      const Tensor<T> staged = detail::empty_tensor<T>(sizes(), {}, "to");
      from.copy_to_host(staged.kernel_data(), src.storage().data_ptr(), src_offset, bytes);
      into.copy_from_host(out.storage().data_ptr(), 0, staged.kernel_data(), bytes);
    }
  }
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(*this)) detail::record<detail::ToCopyBackward0<T, T>>({*this}, {out})->device = source;
  return out;
}

namespace detail {
/** Points `impl` at a copy of its elements on `device` (what module.to(device) does to each
 *  parameter): every handle to `impl` sees the move; views taken before it do not. */
inline void move_in_place(TensorImpl& impl, Device device) {
  if (impl.storage.device() == device) return;
  dispatch(impl.dtype, [&]<class T>(std::type_identity<T>) {
    const auto moved = Tensor<T>(std::shared_ptr<TensorImpl>(std::shared_ptr<void>(), &impl)).to(device);
    impl.storage = moved.storage();
    impl.strides = moved.strides();
    impl.offset = moved.storage_offset();
    impl.contiguous = true;
  });
}
}  // namespace detail

template <class T>
std::vector<T> Tensor<T>::to_vector() const {
  const Tensor<T> dense = contiguous();
  const T* p = dense.data_ptr();
  return std::vector<T>(p, p + numel());
}

}  // namespace tessera
