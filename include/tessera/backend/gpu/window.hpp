#pragma once
// The window family on a GPU (glsl/window.comp): im2col and col2im of convolution and pooling,
// for every element type, bit for bit the CPU's (backend/cpu/window.hpp).

#include <cstdint>
#include <string>

#include "../../iter/plan.hpp"
#include "launch.hpp"

namespace tessera::gpu::detail {

struct WindowPush {
  uint32_t n, out_offset, in_offset, pad_lo, pad_hi;
  uint32_t c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, channels_inner;
};

/** Launches a window plan, or returns false when the host must run it (a type or layout the
 *  plan never makes, or a geometry whose coordinates would not fit the kernel's int). */
template <class Runtime>
bool window_on_gpu(const ::tessera::detail::WindowPlan& plan) {
  const TensorImpl& out = *plan.out;
  const TensorImpl& in = *plan.input;
  const ::tessera::detail::WindowGeometry& g = *plan.geometry;
  const std::string_view op = plan.op;
  if ((op != "im2col" && op != "col2im") || out.dtype != in.dtype || !out.contiguous || !in.contiguous) return false;
  // Note [col2im order] in window.comp: window coordinates y * sh + ki * dh stay below the
  // windows' extent, and iy + ph below h + ph, kept in an int.
  constexpr int64_t kLimit = int64_t{1} << 30;
  const auto extent = [](int64_t windows, int64_t stride, int64_t k, int64_t dilation) {
    return windows == 0 ? 0 : (windows - 1) * stride + (k - 1) * dilation + 1;
  };
  for (const int64_t v : {g.h + g.ph, g.w + g.pw, g.kh * g.kw, g.sh, g.sw, g.dh, g.dw, extent(g.oh, g.sh, g.kh, g.dh),
                          extent(g.ow, g.sw, g.kw, g.dw)})
    if (v >= kLimit) return false;
  if (out.numel == 0) return true;
  check_index_range(out, plan.op);
  check_index_range(in, plan.op);
  const bool im2col = op == "im2col";
  const uint64_t pad = im2col ? value_bits(plan.pad, out.dtype) : 0;
  const auto u = [](int64_t v) { return static_cast<uint32_t>(v); };
  const WindowPush push{u(out.numel), u(out.offset), u(in.offset), u(static_cast<int64_t>(pad & 0xffffffffu)),
                        u(static_cast<int64_t>(pad >> 32)), u(g.c), u(g.h), u(g.w), u(g.kh), u(g.kw), u(g.sh),
                        u(g.sw), u(g.ph), u(g.pw), u(g.dh), u(g.dw), u(g.oh), u(g.ow), g.channels_inner ? 1u : 0u};
  const int device = device_of(out);
  const Kernel& kernel = Launch<Runtime>::kernel_for("window." + std::string(variant_suffix(out.dtype)), plan.op,
                                                     out.dtype, device);
  Launch<Runtime>::launch(device, kernel, {{0, im2col ? 0u : 1u}},
                          {{.data = &out.storage.data_ptr()}, {.data = &in.storage.data_ptr()}}, &push, push.n);
  return true;
}

}  // namespace tessera::gpu::detail
