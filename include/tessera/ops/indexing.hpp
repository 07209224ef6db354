#pragma once
// Advanced indexing: boolean masks and integer index tensors in t.index({...}) and index_put_,
// plus index_select, gather and scatter.

#include "../backend/cpu/index.hpp"
#include "../backend/dispatch.hpp"
#include "creation.hpp"
#include "elementwise.hpp"
#include "join.hpp"
#include "view.hpp"

namespace tessera {
namespace detail {

/** The positions of true elements of a bool tensor, one int64 tensor per dimension. */
template <class = void>
std::vector<Tensor<int64_t>> nonzero_per_dim(const Tensor<bool>& mask) {
  const Tensor<bool> m = mask.contiguous();
  std::vector<Tensor<int64_t>> out;
  for (auto& c : nonzero_coords(m.data_ptr(), m.sizes())) {  // reads the mask on the host, as PyTorch syncs here
    const int64_t len = static_cast<int64_t>(c.size());
    out.push_back(from_vector(c, {len}, {.device = mask.device()}));
  }
  return out;
}

/** The tensor entries of an index, each with the dim of the view it indexes. */
using AdvancedIndices = std::vector<std::pair<int64_t, Tensor<int64_t>>>;

/** Checks that every value of `index` is in [lo, hi), with the message of `check` for `op`
 *  naming the first bad value: the CPU throws at once; a GPU checks without waiting and reports
 *  at its next host read (Note [Deferred errors] in backend/gpu/deferred_error.hpp). */
template <class = void>
void check_index_on_device(const Tensor<int64_t>& index, int64_t lo, int64_t hi, IndexCheck check, const char* op,
                           int64_t dim) {
  const Tensor<int64_t> values = index.contiguous();
  dispatch_plan(IndexPlan{.op = "check_index", .out = &values.impl(), .fresh_out = true, .input = &values.impl(),
                          .index = &values.impl(), .dim = dim, .lo = lo, .hi = hi, .check = check, .what = op},
                [&] { check_index_values(values.kernel_data(), values.numel(), lo, hi, check, op, dim); });
}

/** The plan of an advanced index: element offsets of the indexed dims and of the others. */
struct AdvancedIndex {
  Shape result_shape;            // PyTorch's order: index dims in place when adjacent, else first
  Shape perm_to_result;          // permutes [index dims..., other dims...] into result order
  std::vector<int64_t> index_offsets;  // one per element of the broadcast index shape
  std::vector<int64_t> rest_offsets;   // one per element of the non-indexed dims, row-major
  Shape index_shape, rest_shape, rest_strides;
  // Note [Index offsets on a device]: when an index tensor is on v's device (not the CPU), the
  // offsets are computed there (index_offsets stays empty), so indexing never waits for it.
  Tensor<int64_t> device_offsets;
  /** index_offsets, or device_offsets read on the host (a plan that runs there). */
  std::vector<int64_t> host_offsets() const {
    if (!device_offsets.defined()) return index_offsets;
    return copy_values(device_offsets.data_ptr(), device_offsets.numel());
  }
};

template <class T>
AdvancedIndex plan_advanced(const Tensor<T>& v, const std::vector<std::pair<int64_t, Tensor<int64_t>>>& indexed,
                            const char* op) {
  AdvancedIndex plan;
  Shape bshape;
  for (const auto& [d, idx] : indexed) bshape = broadcast_shapes(bshape, idx.sizes(), op);
  plan.index_shape = bshape;
  const int64_t nb = checked_numel(bshape, op);
  bool on_device = false;
  for (const auto& entry : indexed) on_device |= !entry.second.device().is_cpu();
  if (on_device) {
    // x[idx] on a GPU: each index checked there (an error is reported later) and wrapped by
    // remainder, which maps [-size, size) onto [0, size) and keeps every offset inside v.
    NoGradGuard no_grad;
    Tensor<int64_t> offsets;
    for (const auto& [d, idx_any] : indexed) {
      const Tensor<int64_t> idx = idx_any.to(v.device());
      const int64_t size = v.sizes()[d];
      check_index_on_device(idx, -size, size, IndexCheck::OutOfBounds, op, d);
      const Tensor<int64_t> term = size > 0 ? idx.remainder(size) * v.strides()[d] : zeros_like(idx);
      offsets = offsets.defined() ? offsets + term : term;
    }
    plan.device_offsets = offsets.expand(bshape).contiguous();
  } else {
    plan.index_offsets.assign(static_cast<size_t>(nb), 0);
    for (const auto& [d, idx] : indexed) {
      const Tensor<int64_t> values = idx.expand(bshape).contiguous();  // read on the host
      add_index_offsets(plan.index_offsets, values.data_ptr(), nb, v.sizes()[d], v.strides()[d], d, op);
    }
  }
  std::vector<bool> is_indexed(static_cast<size_t>(v.dim()), false);
  for (const auto& [d, idx] : indexed) is_indexed[static_cast<size_t>(d)] = true;
  Shape rest_sizes, rest_strides, rest_dims;
  for (int64_t d = 0; d < v.dim(); ++d)
    if (!is_indexed[static_cast<size_t>(d)]) {
      rest_sizes.push_back(v.sizes()[d]);
      rest_strides.push_back(v.strides()[d]);
      rest_dims.push_back(d);
    }
  plan.rest_shape = rest_sizes;
  plan.rest_strides = rest_strides;
  const int64_t nr = checked_numel(rest_sizes, op);
  plan.rest_offsets.resize(static_cast<size_t>(nr));
  for (int64_t e = 0; e < nr; ++e) {
    int64_t rest = e, off = 0;
    for (size_t k = rest_sizes.size(); k-- > 0;) {
      off += (rest % rest_sizes[k]) * rest_strides[k];
      rest /= rest_sizes[k];
    }
    plan.rest_offsets[static_cast<size_t>(e)] = off;
  }
  // Adjacent indexed dims keep their place in the result; otherwise the index dims go first.
  const int64_t first = indexed.front().first;
  bool adjacent = true;
  for (size_t k = 0; k < indexed.size(); ++k) adjacent &= indexed[k].first == first + static_cast<int64_t>(k);
  const int64_t before = adjacent ? first : 0;  // rest dims placed before the index dims
  const int64_t nbd = static_cast<int64_t>(bshape.size());
  for (int64_t k = 0; k < before; ++k) plan.result_shape.push_back(rest_sizes[k]), plan.perm_to_result.push_back(nbd + k);
  for (int64_t k = 0; k < nbd; ++k) plan.result_shape.push_back(bshape[k]), plan.perm_to_result.push_back(k);
  for (int64_t k = before; k < static_cast<int64_t>(rest_sizes.size()); ++k)
    plan.result_shape.push_back(rest_sizes[k]), plan.perm_to_result.push_back(nbd + k);
  return plan;
}

/** The value of a 0-dim integer tensor used as an index (read on the host). */
template <class = void>
int64_t scalar_index_value(const std::shared_ptr<TensorImpl>& index) {
  switch (index->dtype) {
    case DType::Int8: return Tensor<int8_t>(index).item();
    case DType::Int16: return Tensor<int16_t>(index).item();
    case DType::Int32: return Tensor<int32_t>(index).item();
    default: return Tensor<int64_t>(index).item();
  }
}

/** values without their leading dims of size 1 (a view). */
template <class U>
Tensor<U> drop_leading_ones(const Tensor<U>& values) {
  int64_t k = 0;
  while (k < values.dim() && values.sizes()[k] == 1) ++k;
  if (k == 0) return values;
  Shape rest;
  for (int64_t d = k; d < values.dim(); ++d) rest.push_back(values.sizes()[d]);
  return values.reshape(rest);
}

/** Splits an index list into basic indexing (applied as a view) and the tensor entries. */
template <class T>
std::pair<Tensor<T>, std::vector<std::pair<int64_t, Tensor<int64_t>>>> apply_basic(
    const Tensor<T>& self, const std::vector<TensorIndex>& indices, const char* op) {
  for (size_t k = 0; k < indices.size(); ++k) {
    if (!indices[k].is_tensor() || indices[k].tensor() == nullptr || indices[k].tensor()->dtype != DType::UInt8)
      continue;
    // PyTorch 1.13 still reads a uint8 index as a mask, with a deprecation warning.
    warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool instead.");
    std::vector<TensorIndex> masks(indices);
    for (TensorIndex& ix : masks)
      if (ix.is_tensor() && ix.tensor() && ix.tensor()->dtype == DType::UInt8)
        ix = TensorIndex(Tensor<uint8_t>(ix.tensor()).template to<bool>());
    return apply_basic(self, masks, op);
  }
  // Note [Masks in an index]: as PyTorch's applySlicing, the basic entries are applied first and
  // a tensor entry, mask or not, takes one position of the view; a mask then covers as many
  // dims as it has from that position (PyTorch's expandTensors), so the entries after an n-dim
  // mask move by n - 1. Only counting the dims an index uses ("too many indices", the ellipsis)
  // counts all of a mask's dims. A 0-dim integer tensor is an integer (a view, as x[1]).
  int64_t consumed = 0, ellipses = 0;
  for (const TensorIndex& ix : indices) {
    if (ix.is_tensor()) {
      TS_CHECK(ix.tensor() != nullptr, op, ": an index tensor is undefined (default-constructed)");
      const Device device = ix.tensor()->storage.device();
      TS_CHECK(device.is_cpu() || device == self.device(), op, ": indices should be either on cpu or on the same "
               "device as the indexed tensor (", self.device(), "), got an index on ", device);
    }
    if (ix.is_ellipsis()) ++ellipses;
    else if (ix.is_tensor() && ix.tensor()->dtype == DType::Bool) consumed += ix.tensor()->dim();
    else if (!ix.is_none()) ++consumed;
  }
  TS_CHECK(ellipses <= 1, op, ": an index can only have a single ellipsis ('...')");
  TS_CHECK(consumed <= self.dim(), op, ": too many indices for tensor of dimension ", self.dim(), " (got ", consumed,
           ")");
  Tensor<T> out = self;
  struct Entry {
    int64_t position;           // in the view after the basic entries
    Tensor<int64_t> index;      // an integer index, or
    Tensor<bool> mask;          // a mask of at least one dim
  };
  std::vector<Entry> entries;
  int64_t d = 0, position = -1;
  for (const TensorIndex& ix : indices) {
    ++position;
    const DType dtype = ix.is_tensor() ? ix.tensor()->dtype : DType::Bool;
    const bool integral_0d = ix.is_tensor() && ix.tensor()->dim() == 0 &&
                             (dtype == DType::Int8 || dtype == DType::Int16 || dtype == DType::Int32 || dtype == DType::Int64);
    if (ix.is_integer() || integral_0d) {
      // PyTorch names the index's position in the list as its dimension (x[..., 9] of a 3-D x
      // says "dimension 1").
      const int64_t i = ix.is_integer() ? ix.integer() : scalar_index_value(ix.tensor());
      const int64_t size = out.sizes()[d];
      TS_CHECK(i >= -size && i < size, op, ": index ", i, " is out of bounds for dimension ", position, " with size ",
               size);
      out = out.select(d, i);
    } else if (ix.is_slice()) {
      const Slice& s = ix.slice();
      out = out.slice(d, s.start, s.stop, s.step.value_or(1));
      ++d;
    } else if (ix.is_none()) {
      out = out.unsqueeze(d);
      ++d;
    } else if (ix.is_ellipsis()) {
      d += self.dim() - consumed;
    } else if (dtype == DType::Bool) {
      const Tensor<bool> mask(ix.tensor());
      if (mask.dim() == 0) {  // x[True] adds a dim of size 1, x[False] one of size 0
        out = out.unsqueeze(d);
        entries.push_back({d++, mask.item() ? zeros<int64_t>({1}) : empty<int64_t>({0}), {}});
      } else {
        entries.push_back({d++, {}, mask});
      }
    } else {
      TS_CHECK(dtype == DType::Int64 || dtype == DType::Int32, op,
               ": tensors used as indices must be long, int or bool tensors, got ", dtype);
      Tensor<int64_t> idx = dtype == DType::Int64 ? Tensor<int64_t>(ix.tensor())
                                                  : Tensor<int32_t>(ix.tensor()).template to<int64_t>();
      entries.push_back({d++, idx, {}});
    }
  }
  AdvancedIndices indexed;
  int64_t shift = 0;  // the dims that the masks before an entry cover beyond their position
  for (const Entry& e : entries) {
    int64_t at = e.position + shift;
    if (!e.mask.defined()) {
      indexed.emplace_back(at, e.index);
      continue;
    }
    const Tensor<bool>& mask = e.mask;
    for (int64_t k = 0; k < mask.dim(); ++k)
      TS_CHECK(at + k < out.dim() && mask.sizes()[k] == out.sizes()[at + k], op, ": The shape of the mask ",
               shape_str(mask.sizes()), " at index ", k, " does not match the shape of the indexed tensor ",
               shape_str(out.sizes()), " at index ", at + k);
    for (auto& t : nonzero_per_dim(mask)) indexed.emplace_back(at++, t);
    shift += mask.dim() - 1;
  }
  return {out, indexed};
}

}  // namespace detail

namespace detail {
/** v[indices] for the tensor entries of an index (a copy), not recorded. */
template <class T>
Tensor<T> index_advanced(const Tensor<T>& v, const AdvancedIndices& indexed, const char* op) {
  const AdvancedIndex plan = plan_advanced(v, indexed, op);
  Shape gathered_shape = plan.index_shape;
  for (int64_t s : plan.rest_shape) gathered_shape.push_back(s);
  Tensor<T> gathered = empty_tensor<T>(gathered_shape, {.device = v.device()}, op);
  const bool on_device = plan.device_offsets.defined();
  dispatch_plan(IndexPlan{.op = "index", .out = &gathered.impl(), .fresh_out = true, .input = &v.impl(),
                          .index = on_device ? &plan.device_offsets.impl() : nullptr,
                          .slices = on_device ? nullptr : &plan.index_offsets, .rest = &plan.rest_offsets,
                          .rest_sizes = &plan.rest_shape, .rest_strides = &plan.rest_strides},
                [&] { gather_slices(gathered.kernel_data(), v.kernel_data(), plan.host_offsets(), plan.rest_offsets); });
  NoGradGuard no_grad;
  return gathered.permute(plan.perm_to_result).contiguous();
}

/** v[indices] = values (or += with `accumulate`, summing repeated positions), not recorded. */
template <class T, class U>
void index_put_advanced(const Tensor<T>& v, const AdvancedIndices& indexed, const Tensor<U>& values, bool accumulate,
                        const char* op) {
  if constexpr (!std::is_same_v<T, U>) {
    // A device kernel takes values of v's type: put_slices converts each to T first anyway.
    if (!v.device().is_cpu()) {
      NoGradGuard no_grad;
      return index_put_advanced(v, indexed, values.template to<T>(), accumulate, op);
    }
  }
  const AdvancedIndex plan = plan_advanced(v, indexed, op);
  const Shape& vs = values.sizes();
  bool fits = vs.size() <= plan.result_shape.size();
  for (size_t k = 1; fits && k <= vs.size(); ++k) {
    const int64_t have = vs[vs.size() - k], want = plan.result_shape[plan.result_shape.size() - k];
    fits = have == 1 || have == want;
  }
  TS_CHECK(fits, op, ": shape mismatch: value tensor of shape ", shape_str(vs),
           " cannot be broadcast to indexing result of shape ", shape_str(plan.result_shape));
  // values broadcast to the result's shape, then laid out as [index dims..., other dims...]
  Shape inverse = Shape::filled(plan.perm_to_result.size(), 0);
  for (size_t k = 0; k < plan.perm_to_result.size(); ++k) inverse[static_cast<size_t>(plan.perm_to_result[k])] = static_cast<int64_t>(k);
  Tensor<U> staged;
  {
    NoGradGuard no_grad;
    staged = values.expand(plan.result_shape).permute(inverse).contiguous();
  }
  const bool on_device = plan.device_offsets.defined();
  // Threads may take the slices apart when v reaches each element once (put_slices).
  const bool may_split = v.impl().is_contiguous() && !v.impl().storage.is_alias_of(staged.impl().storage);
  dispatch_plan(IndexPlan{.op = "index_put", .out = &v.impl(), .input = &staged.impl(),
                          .index = on_device ? &plan.device_offsets.impl() : nullptr,
                          .slices = on_device ? nullptr : &plan.index_offsets, .rest = &plan.rest_offsets,
                          .accumulate = accumulate, .rest_sizes = &plan.rest_shape, .rest_strides = &plan.rest_strides},
                [&] { put_slices(v.kernel_data(), staged.kernel_data(), plan.host_offsets(), plan.rest_offsets, accumulate,
                                   may_split); });
}

}  // namespace detail

template <class T>
Tensor<T> Tensor<T>::index(const std::vector<TensorIndex>& indices) const {
  auto [v, indexed] = detail::apply_basic(*this, indices, "index");
  if (indexed.empty()) return v;
  Tensor<T> out = detail::index_advanced(v, indexed, "index");
  if (detail::needs_grad(v)) detail::record<detail::IndexBackward0<T>>({v}, {out}, v.sizes(), indexed);
  return out;
}

template <class T>
template <class U>
const Tensor<T>& Tensor<T>::index_put_(std::initializer_list<TensorIndex> indices, const Tensor<U>& values_in,
                                       bool accumulate) const {
  auto [v, indexed] = detail::apply_basic(*this, std::vector<TensorIndex>(indices), "index_put_");
  // As PyTorch's set_item: a value's leading dims of size 1 are dropped (slicePrefix1sSize).
  const Tensor<U> values = detail::drop_leading_ones(values_in);
  if (indexed.empty()) {
    if (accumulate) v.add_(values.template to<T>());
    else v.copy_(values);
    return *this;
  }
  TS_CHECK(dtype_of<T> == dtype_of<U>, "index_put_: Index put requires the source and destination dtypes match, got ",
           detail::aten_type_name(dtype_of<T>), " for the destination and ", detail::aten_type_name(dtype_of<U>),
           " for the source.");
  detail::check_same_device("index_put_", device(), values.device());
  // PyTorch refuses any overlap of the written tensor with the values or the indices.
  const detail::TensorImpl& written = v.impl();  // a structured binding is not captured by clang 14
  const auto check_no_overlap = [&written](const detail::TensorImpl& read) {
    TS_CHECK(!detail::may_overlap(written, read), "index_put_: unsupported operation: some elements of the input "
             "tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before "
             "performing the operation.");
  };
  check_no_overlap(values.impl());
  for (const auto& entry : indexed) check_no_overlap(entry.second.impl());
  std::shared_ptr<detail::Node> node;
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(v, values))
      node = detail::begin_inplace<detail::IndexPutBackward0<T>>(v, {v, values}, indexed, accumulate);
  detail::index_put_advanced(v, indexed, values, accumulate, "index_put_");
  if (node) detail::finish_inplace(v, node);
  return *this;
}

/** torch.index_put: a copy of self with values written (or, with accumulate, summed) at indices;
 *  values of self's type, as PyTorch requires. */
template <class T>
Tensor<T> Tensor<T>::index_put(std::initializer_list<TensorIndex> indices, const Tensor<T>& values,
                               bool accumulate) const {
  Tensor<T> out = clone();
  out.index_put_(indices, values, accumulate);
  return out;
}
template <class T>
Tensor<T> index_put(const Tensor<T>& self, std::initializer_list<TensorIndex> indices, const Tensor<T>& values,
                    bool accumulate = false) {
  return self.index_put(indices, values, accumulate);
}

template <class T>
template <Scalar S>
const Tensor<T>& Tensor<T>::index_put_(std::initializer_list<TensorIndex> indices, S value) const {
  return index_put_(indices, full<T>({}, detail::checked_convert<T>(value, "index_put_"), {.device = device()}));
}

namespace detail {
// Note [index_select bounds]
// index_select (and embedding through it) takes indices in [0, size) only: a negative index is
// refused, not wrapped as in x[idx]. PyTorch 1.13's messages depend on its kernel: the dim-1
// kernel of a tensor of 2 or more dims names the index and size ("INDICES element is out of DATA
// bounds, id=-1 axis_dim=3"), an empty dim has its own message, and every other case says "index
// out of range in self". A 0-dim tensor is a dim of size 1.
template <class T>
void check_index_select_bounds(const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index, const char* op) {
  const int64_t size = x.dim() == 0 ? 1 : x.size(dim), n = index.numel();
  if (n == 0) return;
  TS_CHECK(size > 0, op, ": index_select(): self indexing axis dim should be positive");
  if (!index.device().is_cpu())  // checked on the device, reported at its next host read
    return check_index_on_device(index, 0, size, dim == 1 && x.dim() > 1 ? IndexCheck::SelectValue : IndexCheck::SelectRange,
                                 op, dim);
  const Tensor<int64_t> values = index.contiguous();  // read on the host, as the offsets of x[idx]
  check_index_select_values(values.data_ptr(), n, size, dim == 1 && x.dim() > 1, op);
}
}  // namespace detail

/** The slices of `x` at `index` along `dim`, as torch.index_select (Note [index_select bounds]). */
template <class T>
Tensor<T> index_select(const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index) {
  TS_CHECK(index.dim() <= 1, "index_select: index_select(): Index is supposed to be a vector, got ", index.dim(), "-D");
  detail::check_same_device("index_select", x.device(), index.device());
  dim = detail::wrap_dim(dim, x.dim(), "index_select");
  detail::check_index_select_bounds(x, dim, index, "index_select");
  // A 0-dim x: every index is 0 (checked above) and the result is x's value, 0-dim as in torch.
  if (x.dim() == 0) return x.reshape({1}).index_select(0, zeros<int64_t>({1}, {.device = x.device()})).view({});
  Tensor<T> out;
  {
    NoGradGuard no_grad;
    std::vector<TensorIndex> ix(static_cast<size_t>(dim), Slice());
    ix.push_back(index.reshape({-1}));
    out = x.index(ix);
  }
  if (detail::needs_grad(x)) detail::record<detail::IndexSelectBackward0<T>>({x}, {out}, x.sizes(), dim, index);
  return out;
}
template <class T>
Tensor<T> Tensor<T>::index_select(int64_t dim, const Tensor<int64_t>& index) const {
  return tessera::index_select(*this, dim, index);
}

namespace detail {
/** PyTorch's checks of an index along `dim` of x for gather and scatter. */
template <class T>
void check_dim_index(const Tensor<T>& x, const Tensor<int64_t>& index, int64_t dim, const char* op) {
  check_same_device(op, x.device(), index.device());
  TS_CHECK(index.dim() == x.dim() || (x.dim() == 0 && index.dim() <= 1), op,
           ": Index tensor must have the same number of dimensions as input tensor (", x.dim(), " and ", index.dim(), ")");
  for (int64_t d = 0; d < index.dim(); ++d)
    TS_CHECK(d == dim || index.sizes()[d] <= x.sizes()[d], op, ": Size does not match at dimension ", d,
             " expected index ", shape_str(index.sizes()), " to be smaller than self ", shape_str(x.sizes()),
             " apart from dimension ", dim);
}

/** x[..., index[c], ...] (+)= src[c] along `dim`, in order; not recorded, version bumped. */
template <class T, class U>
void scatter_into(const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index_in, const Tensor<U>& src, bool accumulate,
                  const char* op) {
  check_dim_index(x, index_in, dim, op);
  if constexpr (!std::is_same_v<T, U>) {
    // A device kernel takes src in x's type: scatter_dim converts each value to T (when it does
    // not accumulate; scatter_add_ has one type).
    if (!x.device().is_cpu() && !accumulate) {
      NoGradGuard no_grad;
      return scatter_into(x, dim, index_in, src.template to<T>(), accumulate, op);
    }
  }
  const Tensor<int64_t> index = index_in.contiguous();
  dispatch_plan(IndexPlan{.op = "scatter", .out = &x.impl(), .input = &src.impl(), .index = &index.impl(), .dim = dim,
                          .accumulate = accumulate, .what = op},
                [&] { scatter_dim<T, U>(x.impl(), src.impl(), index.kernel_data(), index.sizes(), dim, accumulate, op); });
}

/** out[i][j] += src[i][j] at x[index[i][j]][j] (for dim 0): gather's adjoint, not recorded. */
template <class T>
void scatter_add_into(const Tensor<T>& out, int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& src) {
  scatter_into(out, dim, index, src, true, "scatter_add_");
}
}  // namespace detail

/** out[i][j] = x[index[i][j]][j] (for dim 0): the elements of x at `index` along `dim`. */
template <class T>
Tensor<T> gather(const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index) {
  dim = detail::wrap_dim(dim, x.dim(), "gather");
  detail::check_dim_index(x, index, dim, "gather");
  Tensor<T> out = detail::empty_tensor<T>(index.sizes(), {.device = x.device()}, "gather");
  const Tensor<int64_t> idx = index.contiguous();
  detail::dispatch_plan(detail::IndexPlan{.op = "gather", .out = &out.impl(), .fresh_out = true, .input = &x.impl(), .index = &idx.impl(),
                                          .dim = dim},
                        [&] { detail::gather_dim<T>(out.impl(), x.impl(), idx.kernel_data(), idx.sizes(), dim); });
  if (detail::needs_grad(x)) detail::record<detail::GatherBackward0<T>>({x}, {out}, x.sizes(), dim, index);
  return out;
}
template <class T>
Tensor<T> Tensor<T>::gather(int64_t dim, const Tensor<int64_t>& index) const {
  return tessera::gather(*this, dim, index);
}

/** self[index[i][j]][j] = src[i][j] (for dim 0), in place; later writes win. */
template <class T>
template <class U>
const Tensor<T>& Tensor<T>::scatter_(int64_t dim, const Tensor<int64_t>& index, const Tensor<U>& src) const {
  dim = detail::wrap_dim(dim, this->dim(), "scatter_");
  TS_CHECK(dtype_of<T> == dtype_of<U>, "scatter_: scatter(): Expected self.dtype to be equal to src.dtype");
  detail::check_no_internal_overlap("scatter_", impl());
  TS_CHECK(src.dim() == index.dim(), "scatter_: Index tensor must have the same number of dimensions as src tensor");
  detail::check_same_device("scatter_", device(), src.device());
  for (int64_t d = 0; d < index.dim(); ++d)
    TS_CHECK(index.sizes()[d] <= src.sizes()[d], "scatter_: Expected index ", detail::shape_str(index.sizes()),
             " to be smaller than src ", detail::shape_str(src.sizes()), " apart from dimension ", dim);
  std::shared_ptr<detail::Node> node;
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(*this, src))
      node = detail::begin_inplace<detail::ScatterBackward<T, U>>(*this, {*this, src}, dim, index);
  detail::scatter_into(*this, dim, index, src, false, "scatter_");
  if (node) detail::finish_inplace(*this, node);
  return *this;
}
template <class T>
template <Scalar S>
const Tensor<T>& Tensor<T>::scatter_(int64_t dim, const Tensor<int64_t>& index, S value) const {
  const T v = detail::checked_convert<T>(value, "scatter_");
  std::shared_ptr<detail::Node> node;
  if (detail::needs_grad(*this))
    node = detail::begin_inplace<detail::ScatterBackward<T, void>>(*this, {*this}, detail::wrap_dim(dim, this->dim(), "scatter_"), index);
  {
    NoGradGuard no_grad;
    scatter_(dim, index, full<T>({}, v, {.device = device()}).expand(index.sizes()));
  }
  if (node) detail::finish_inplace(*this, node);
  return *this;
}
template <class T>
template <class U>
Tensor<T> Tensor<T>::scatter(int64_t dim, const Tensor<int64_t>& index, const Tensor<U>& src) const {
  Tensor<T> out = clone();
  out.scatter_(dim, index, src);
  return out;
}
template <class T>
template <Scalar S>
Tensor<T> Tensor<T>::scatter(int64_t dim, const Tensor<int64_t>& index, S value) const {
  Tensor<T> out = clone();
  out.scatter_(dim, index, value);
  return out;
}
template <class T, class U>
Tensor<T> scatter(const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index, const Tensor<U>& src) {
  return x.scatter(dim, index, src);
}
template <class T, Scalar S>
Tensor<T> scatter(const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index, S value) {
  return x.scatter(dim, index, value);
}

}  // namespace tessera
