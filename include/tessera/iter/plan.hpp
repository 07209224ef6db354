#pragma once
// Plans: what a kernel family is asked to do, described without the device that will do it.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "../core/tensor_impl.hpp"

namespace tessera::detail {

// Note [Plans]
// An op that has checked its arguments describes the work for its kernel family in a plan:
// the op's name (with the dtypes it names a kernel variant: "add" on float32), the tensors it
// writes and reads (their sizes, strides and devices), and the scalars it takes. The dispatch
// point (backend/dispatch.hpp) runs the CPU kernel inline and hands any other device the plan.
// A plan also carries its CPU kernel as `run_on_host`, so that a device whose memory the host
// can address (the test device of tests/test_device.cpp, a unified-memory GPU without a kernel
// for a variant yet) can run it there. Plans live on the caller's stack for one call.
//
// Every plan names the tensor it writes, `out`. Unless `fresh_out` says it was allocated for this
// op, dispatch bumps out's version after the kernel (a fresh result stays at version 0, as in
// PyTorch), every tensor the plan reads must be on out's device, and an input of an elementwise
// or copy plan may not share only part of out's bytes (Note [Overlap of inputs and outputs]).
// An existing out of an elementwise plan (an in-place op or an out= form) must also fit the
// result as PyTorch requires: the result's dtype casts to out's (can_cast), its shape (the
// inputs' broadcast shape) is out's, and no element of out is written twice; copy plans, built
// by copy_typed alone, check the same when they write an op's result into its out=. Ops get
// all of this by building a plan, and cannot reach a kernel without one.

/** The kernel family of a plan: one per function of DeviceKernels. */
enum class PlanKind : uint8_t {
  Elementwise, Copy, Fill, Reduction, Rows, Matmul, Random, Index, Range, Window, Sort, Convolution
};

/** Calls a callable the plan does not know the type of (its host kernel). */
struct HostKernel {
  const void* callable = nullptr;
  void (*call)(const void* callable) = nullptr;

  template <class F>
  static HostKernel of(const F& f) {
    return {&f, [](const void* c) { (*static_cast<const F*>(c))(); }};
  }
  void operator()() const { call(callable); }
};

/** out = op(inputs..., scalar): elementwise with broadcasting (unary, binary, ternary). */
struct ElementwisePlan {
  static constexpr PlanKind kind = PlanKind::Elementwise;
  const char* op;
  const TensorImpl* out;
  bool fresh_out = false;
  std::array<const TensorImpl*, 3> inputs{};
  int num_inputs = 0;
  DType result_dtype = DType::Bool;  // what the op computes, before its conversion to out's dtype
  bool has_scalar = false;  // a C++ scalar operand, converted to the op's compute type
  bool scalar_first = false;  // scalar op tensor rather than tensor op scalar
  double scalar = 0;
  // clamp's bounds in its compute type, each only where has_bound says it was given (a GPU
  // kernel needs them; the host kernel has them in its closure).
  std::array<double, 2> bounds{};
  std::array<bool, 2> has_bound{};
  bool out_may_overlap = false;  // masked_fill_ writes expanded tensors, as PyTorch does (with a warning)
  HostKernel run_on_host{};
};

/** out = convert(input): a converting, broadcasting, strided copy between tensors on one device. */
struct CopyPlan {
  static constexpr PlanKind kind = PlanKind::Copy;
  const char* op;
  const TensorImpl* out;
  bool fresh_out = false;
  const TensorImpl* input;
  HostKernel run_on_host{};
};

/** Every element of out = value. */
struct FillPlan {
  static constexpr PlanKind kind = PlanKind::Fill;
  const char* op;
  const TensorImpl* out;
  bool fresh_out = false;
  uint64_t bits;  // the element's bits, zero-extended: every value of every dtype, exactly
  HostKernel run_on_host{};
};

/** The reduced and kept parts of a tensor's shape for one reduction. */
struct ReduceLayout {
  Shape kept_sizes, kept_strides;        // input strides of the kept dims (output order)
  Shape reduced_sizes, reduced_strides;  // input strides of the reduced dims
  Shape out_shape;                       // with or without the kept singleton dims
  int64_t outputs = 1, reduced = 1;
};

/** Wraps and validates `dims` (empty means all) for a tensor of `ndim` dims. */
inline std::vector<bool> reduced_mask(const Shape& dims, int64_t ndim, const char* op) {
  std::vector<bool> mask(static_cast<size_t>(std::max<int64_t>(ndim, 0)), dims.empty());
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, ndim, op);
    if (ndim == 0) continue;
    TS_CHECK(!mask[static_cast<size_t>(w)] || dims.empty(), op, ": dim ", w, " appears multiple times in the list of dims");
    mask[static_cast<size_t>(w)] = true;
  }
  return mask;
}

inline ReduceLayout reduce_layout(const TensorImpl& x, const Shape& dims, bool keepdim, const char* op) {
  const std::vector<bool> mask = reduced_mask(dims, x.dim(), op);
  ReduceLayout p;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (mask[static_cast<size_t>(d)]) {
      p.reduced_sizes.push_back(x.sizes[d]);
      p.reduced_strides.push_back(x.strides[d]);
      p.reduced = wrapping_mul(p.reduced, x.sizes[d]);  // wraps only when there are no outputs
      if (keepdim) p.out_shape.push_back(1);
    } else {
      p.kept_sizes.push_back(x.sizes[d]);
      p.kept_strides.push_back(x.strides[d]);
      p.outputs = wrapping_mul(p.outputs, x.sizes[d]);  // checked when the output is allocated
      p.out_shape.push_back(x.sizes[d]);
    }
  }
  return p;
}

/** out = a reduction of input over the reduced dims of `layout` (out is contiguous, of
 *  layout->out_shape); `indices`, when given, receives the position of each extreme (max and min
 *  along a dim); `scalar` is var's and std's correction. */
struct ReductionPlan {
  static constexpr PlanKind kind = PlanKind::Reduction;
  const char* op;
  const TensorImpl* out;
  bool fresh_out = false;
  const TensorImpl* input;
  const ReduceLayout* layout;
  const TensorImpl* indices = nullptr;
  double scalar = 0;
  HostKernel run_on_host{};
};

/** out = input @ other: 2-D (mm) or batched 3-D (bmm) of one dtype; out is contiguous. */
struct MatmulPlan {
  static constexpr PlanKind kind = PlanKind::Matmul;
  const char* op;
  const TensorImpl* out;
  bool fresh_out = false;
  const TensorImpl* input;
  const TensorImpl* other;
  HostKernel run_on_host{};
};

/** out (contiguous) = a random draw, element i a function of (seed, offset, i) only (Note
 *  [Random streams]): "uniform" in [from, to), "normal" (mean, stddev), "randint" in
 *  [low, low + range), "randperm", "exponential", "bernoulli" (1 where the double uniform u of
 *  element i is below input[i], or below p when there is no input). */
struct RandomPlan {
  static constexpr PlanKind kind = PlanKind::Random;
  const char* op;
  const TensorImpl* out = nullptr;
  bool fresh_out = false;
  uint64_t seed = 0, offset = 0;  // the first block reserved for this draw
  double mean = 0, stddev = 1;
  double lambd = 1;  // exponential's rate
  int64_t low = 0;
  uint64_t range = 0;
  double from = 0, to = 1;                // uniform: u * (to - from) + from in double, then to out's type
  const TensorImpl* input = nullptr;      // bernoulli: the probabilities (contiguous, out's dtype and shape)
  double p = 0;                           // bernoulli without an input
  HostKernel run_on_host{};
};

/** What a check of index values says about the first value outside its range (Note [Deferred
 *  errors] in backend/gpu/deferred_error.hpp has how a GPU reports it). */
enum class IndexCheck : uint32_t {
  None = 0,
  OutOfBounds = 1,  // "op: index 12 is out of bounds for dimension 1 with size 10"
  SelectValue = 2,  // index_select's "INDICES element is out of DATA bounds" (Note [index_select bounds])
  SelectRange = 3,  // index_select's "index out of range in self"
  Target = 4,       // nll_loss and cross_entropy: "Target 12 is out of bounds." (PyTorch's words)
  Class = 5,        // one_hot: "Class values must be non-negative and smaller than num_classes (10), got 12"
  Take = 6,         // take: "out of range: tried to access index 24 on a tensor of 24 elements."
  Sorter = 7,       // searchsorted's sorter: "torch.searchsorted(): sorter index out of range"
};

/** The message of an index check that found `value` outside [-size, size) or [0, size). */
inline std::string index_check_message(IndexCheck check, const char* op, int64_t value, int64_t dim, int64_t size) {
  if (check == IndexCheck::Sorter) return "torch.searchsorted(): sorter index out of range";  // PyTorch's words
  std::string s = std::string(op) + ": ";
  switch (check) {
    case IndexCheck::SelectValue:
      s += "INDICES element is out of DATA bounds, id=", append_int(s, value), s += " axis_dim=", append_int(s, size);
      break;
    case IndexCheck::SelectRange: s += "index out of range in self"; break;
    case IndexCheck::Target:
      s += "Target ", append_int(s, value), s += " is out of bounds.";
      break;
    case IndexCheck::Take:
      s += "out of range: tried to access index ", append_int(s, value), s += " on a tensor of ", append_int(s, size);
      s += " elements.";
      break;
    case IndexCheck::Class:
      s += "Class values must be non-negative and smaller than num_classes (", append_int(s, size), s += "), got ";
      append_int(s, value);
      break;
    default:
      s += "index ", append_int(s, value), s += " is out of bounds for dimension ", append_int(s, dim);
      s += " with size ", append_int(s, size);
      break;
  }
  return s;
}

/** Gathering and scattering by index values: "index" out[b, e] = input[slices[b] + rest[e]];
 *  "index_put" out[slices[b] + rest[e]] = input[b, e] (+= with `accumulate`, in order), the
 *  offsets read from the index tensors on the host, or, on a device, out[index[b] + rest[e]]
 *  with `index` the int64 offsets computed there (slices null; rest offsets from out's `rest_sizes`
 *  and `rest_strides`); "gather" out[c] = input[.. index[c] ..] along `dim`; "scatter"
 *  out[.. index[c] ..] = input[c] (+= with `accumulate`); "as_strided_backward"
 *  out[offset + c . strides] += input[c] (c over `rest_sizes`, strides `rest_strides`);
 *  "scatter_reduce" out[.. index[c] ..] = reduce(out[..], input[c]) in order (`reduce`);
 *  "check_index": the first value of `index` outside [lo, hi) is an error of `check` for op
 *  `what` (out is index; a CPU kernel throws, a GPU reports it later, Note [Deferred errors]). */
struct IndexPlan {
  static constexpr PlanKind kind = PlanKind::Index;
  const char* op;
  const TensorImpl* out;
  bool fresh_out = false;
  const TensorImpl* input;
  const TensorImpl* index = nullptr;
  int64_t dim = 0;
  const std::vector<int64_t>* slices = nullptr;
  const std::vector<int64_t>* rest = nullptr;
  bool accumulate = false;
  HostKernel run_on_host{};
  const Shape* rest_sizes = nullptr;
  const Shape* rest_strides = nullptr;
  int64_t offset = 0;
  int64_t lo = 0, hi = 0;
  IndexCheck check = IndexCheck::None;
  const char* what = nullptr;
  const char* reduce = nullptr;  // "scatter_reduce": "sum", "prod", "amax" or "amin"
};

/** out (contiguous, 1-D) = "arange" (start + step * i, or int_start + int_step * i for integers),
 *  "linspace" or "logspace" (base ** linspace) from start to end, with PyTorch's rounding. */
struct RangePlan {
  static constexpr PlanKind kind = PlanKind::Range;
  const char* op;
  const TensorImpl* out;
  bool fresh_out = false;
  double start = 0, end = 0, step = 0, base = 10;
  int64_t int_start = 0, int_step = 0;
  HostKernel run_on_host{};
};

/** Where kh x kw windows (per-axis stride, zero padding before the first row and column, and
 *  dilation) fall on an [N, C, H, W] image. The padding after the last row and column is whatever
 *  the oh x ow windows overhang, so it may differ from the padding before (padding="same"). */
struct WindowGeometry {
  int64_t n = 0, c = 0, h = 0, w = 0;
  int64_t kh = 1, kw = 1;  // window rows and columns
  int64_t sh = 1, sw = 1;  // stride
  int64_t ph = 0, pw = 0;  // padding above and to the left
  int64_t dh = 1, dw = 1;  // dilation
  int64_t oh = 0, ow = 0;  // windows along H and W
  // Layout of the columns: [N, OH, OW, C, kh, kw] (rows of a convolution's matrix product) when
  // true, else [N, C, OH, OW, kh, kw] (a pooling reduces the last two dims to NCHW).
  bool channels_inner = true;

  Shape columns_shape() const { return channels_inner ? Shape{n, oh, ow, c, kh, kw} : Shape{n, c, oh, ow, kh, kw}; }
  /** Offset of window (oh, ow) of plane (n, c) in the columns, in elements. */
  int64_t column_offset(int64_t in, int64_t ic, int64_t ih, int64_t iw) const {
    const int64_t kk = kh * kw;
    return channels_inner ? (((in * oh + ih) * ow + iw) * c + ic) * kk : (((in * c + ic) * oh + ih) * ow + iw) * kk;
  }
};

/** "im2col": out = the windows of the contiguous image `input` as columns (`pad` outside it);
 *  "col2im": out (an image) += every element of the columns `input` at its pixel. */
struct WindowPlan {
  static constexpr PlanKind kind = PlanKind::Window;
  const char* op;
  const TensorImpl* out;
  bool fresh_out = false;
  const TensorImpl* input;
  const WindowGeometry* geometry;
  double pad = 0;
  HostKernel run_on_host{};
};

/** A 2-D convolution in one kernel, for the devices that have one (the others compose it from
 *  im2col and matmul: Note [Fused convolution]). Every tensor is contiguous, of one floating
 *  dtype; the weight is [out, C / groups, kh, kw], the image [N, C, H, W] and the output's
 *  gradient `grad` [N, out, OH, OW], as `geometry` says. "convolution": out [N, out, OH, OW] =
 *  the convolution of `input` with `weight`, plus `bias` when given; "convolution_backward_input":
 *  out (the image's gradient) from `grad` and `weight`; "convolution_backward_weight": out (the
 *  weight's gradient) from `grad` and `input`. */
struct ConvolutionPlan {
  static constexpr PlanKind kind = PlanKind::Convolution;
  const char* op;
  const TensorImpl* out;
  const TensorImpl* input = nullptr;
  const TensorImpl* weight = nullptr;
  const TensorImpl* bias = nullptr;
  const TensorImpl* grad = nullptr;
  const WindowGeometry* geometry;
  int64_t groups = 1;
  HostKernel run_on_host{};
};

/** out = op(input) row by row along `dim`: softmax, log_softmax, cumsum. */
struct RowPlan {
  static constexpr PlanKind kind = PlanKind::Rows;
  const char* op;
  const TensorImpl* out;
  bool fresh_out = false;
  const TensorImpl* input;
  int64_t dim;
  const TensorImpl* indices = nullptr;  // cummax, cummin: the int64 positions of the running extremes
  HostKernel run_on_host{};
};

/** Ordering and selection along `dim`, row by row: "sort" (`descending`), "topk" (the k
 *  largest, or smallest when `descending` is false, in order), "kthvalue" (the k-th smallest),
 *  "median", "nanmedian", "mode". `out` receives the values and `indices` their positions along
 *  the row; both have the input's shape with `dim` of size n (sort), k (topk) or 1.
 *  "searchsorted": out (contiguous, int64 or int32) = for each element of `other` (contiguous),
 *  the insertion point in its row of `input` (contiguous boundaries, rows along the last dim,
 *  one row or one per row of other), through `sorter` when given, after equal ones when `right`.
 *  "bincount": out (contiguous, zeros) [input[i] - k] += other[i] (or 1), input and other
 *  contiguous. */
struct SortPlan {
  static constexpr PlanKind kind = PlanKind::Sort;
  const char* op;
  const TensorImpl* out;
  bool fresh_out = false;
  const TensorImpl* input;
  const TensorImpl* indices = nullptr;
  int64_t dim = 0;
  int64_t k = 0;
  bool descending = false;
  bool sorted = true;  // topk's: false lets the CPU leave the k in PyTorch's unsorted order
  HostKernel run_on_host{};
  const TensorImpl* other = nullptr;
  const TensorImpl* sorter = nullptr;
  bool right = false;
};

}  // namespace tessera::detail
