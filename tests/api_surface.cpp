// Uses the public names of API.md sections 1-5, 7, 8 and 10 through the umbrella header, and
// ts::linalg through its opt-in header <tessera/linalg.hpp>.
// CI compiles it with nothing but `g++ -std=c++20 -I include -I <eigen3> api_surface.cpp -pthread`.

#include <tessera/tessera.hpp>
#include <tessera/linalg.hpp>

#include <any>
#include <tuple>

#include <array>
#include <cstdint>
#include <iostream>
#include <vector>

int main() {
  // 1. Element types and dtypes.
  static_assert(ts::dtype_of<ts::half> == ts::DType::Float16);
  static_assert(ts::dtype_of<ts::bfloat16> == ts::DType::BFloat16);
  static_assert(ts::element_size(ts::DType::Int16) == 2);
  static_assert(ts::promote_types(ts::DType::Int32, ts::DType::Float16) == ts::DType::Float16);
  static_assert(std::is_same_v<ts::promote_t<uint8_t, int8_t>, int16_t>);
  std::cout << ts::DType::Float64 << "\n";

  // 2. Tensor<T>: attributes.
  ts::Tensor<float> x = ts::arange(24.0).reshape({2, 3, 4});
  static_assert(std::is_same_v<ts::Tensor<float>::value_type, float>);
  std::cout << x.dim() << x.ndim() << x.sizes() << x.shape() << x.size(-1) << x.strides() << x.stride()
            << x.stride(0) << x.storage_offset() << x.numel() << x.element_size() << x.nbytes() << x.dtype()
            << x.device() << x.is_contiguous() << "\n";
  float* data = x.data_ptr();
  const ts::Storage& storage = x.storage();
  std::cout << (storage.data() == data) << storage.nbytes() << storage.device() << storage.use_count() << "\n";
  std::cout << ts::tensor(1.5).item() << ts::Tensor<int>().defined() << "\n";

  // Views.
  auto v = x.view({6, 4}).reshape({4, 6}).transpose(0, 1).t().permute({1, 0}).squeeze().unsqueeze(0).squeeze(0);
  v = v.expand({2, 6, 4}).flatten(0, 1).narrow(0, 1, 3).select(1, 2).slice(0, 0, 3, 2);
  auto w = x[1].unfold(1, 2, 2).as_strided({2, 2}, {1, 2}, 0).diagonal().detach();
  auto idx = x.index({ts::Slice(0, 2), 1, ts::None, ts::Ellipsis});
  auto idx2 = x.index({ts::Slice(ts::None, ts::None, 2)});
  x.index_put_({0, 0}, 1.0f);

  // Copies and conversions.
  auto c = x[0].t().contiguous().clone().to<double>().to<float>().to(ts::Device::cpu());
  c.copy_(ts::ones<int32_t>({3}));
  c.fill_(2.0);
  c.zero_();
  std::vector<float> elements = c.to_vector();
  ts::Shape shape(std::vector<int64_t>{2, 3});
  std::cout << shape.size() << shape[0] << (shape == ts::Shape{2, 3}) << v << w << idx << idx2 << elements.size()
            << "\n";

  // 3. Creating tensors.
  ts::TensorOptions options{.device = ts::Device::cpu(), .requires_grad = false};
  std::vector<float> values = {1, 2, 3, 4};
  float blob[4] = {1, 2, 3, 4};
  auto a = ts::tensor({{1, 2}, {3, 4}});
  auto b = ts::tensor<double>({{{1, 2}}}, options);
  auto fv = ts::from_vector(values, {2, 2});
  auto fb = ts::from_blob(blob, {2, 2});
  auto fs = ts::from_blob(blob, {2}, ts::Shape{2}, [](void*) {});
  std::cout << a << b << fv << fb << fs << ts::zeros<float>({2}) << ts::ones({2}) << ts::full({2}, 7)
            << ts::empty({0}) << ts::eye(2) << ts::eye(2, 3) << ts::arange(5) << ts::arange(0, 10, 3)
            << ts::linspace(0, 1, 5) << ts::logspace(0, 2, 3) << ts::zeros_like(a) << ts::ones_like(a)
            << ts::full_like(a, 3) << ts::empty_like(a).sizes() << "\n";
  std::cout << ts::stack({a, a}) << ts::vstack({a, a}) << ts::hstack({a, a}) << ts::cat({a, a}, 1)
            << ts::cat(std::vector{a, a}) << ts::split(ts::arange(5), 2).size() << ts::chunk(ts::arange(5), 2).size()
            << "\n";

  // 6 (flags used by printing). 7. Devices. 8. Printing.
  auto g = ts::ones({2}, {.requires_grad = true});
  std::cout << g.requires_grad() << g.is_leaf() << g.grad_fn_name().size() << g.requires_grad_(false).requires_grad()
            << "\n";
  std::cout << ts::Device("cpu") << ts::Device::metal(0) << ts::Device("mps") << ts::metal::is_available() << "\n";
  std::cout << ts::Device::vulkan() << ts::Device::vulkan(1) << ts::Device("vulkan:1") << ts::vulkan::is_available()
            << ts::vulkan::device_count() << "\n";
  if (ts::vulkan::is_available()) std::cout << (ts::vulkan::memory_kind(0) == ts::vulkan::MemoryKind::Staged) << "\n";
  ts::set_printoptions({.precision = 2, .threshold = 10, .edgeitems = 1, .linewidth = 60, .sci_mode = false});
  std::cout << ts::to_string(ts::arange(20.0)) << "\n";
  ts::set_printoptions({});

  // 4. Arithmetic, reductions, linear algebra.
  auto f = ts::linspace(-2, 2, 6).reshape({2, 3});
  auto i = ts::arange(6).reshape({2, 3});
  auto e1 = f + i, e2 = 3 * f - 1.0, e3 = f / 2, e4 = -f;
  f += 1;
  f -= ts::ones({3});
  f *= 2;
  f /= 2.0;
  {
    const auto grid = ts::arange<float>(0, 6).reshape({2, 3});
    std::cout << grid.repeat({2, 1}) << ts::tile(grid, {2}) << grid.tile({1, 2}) << ts::flip(grid, {0}) << grid.flip({1})
              << ts::fliplr(grid) << ts::flipud(grid) << ts::roll(grid, {1}, {1}) << grid.roll({1}) << ts::rot90(grid)
              << grid.rot90(1, {0, 1}) << ts::tril(grid) << ts::triu(grid, 1) << grid.tril(-1) << grid.triu()
              << ts::tril_indices(3, 3) << ts::triu_indices(3, 3, 1) << ts::diag(grid) << grid.diag(1) << ts::trace(grid)
              << grid.trace() << grid.clone().tril_() << grid.clone().triu_(1) << "\n";
  }
  auto cmp = ((f == f) && (f != 0.5) && (f < 3.0) && (f <= 3.0) && !(f > 5.0) && (f >= -9.0)) || (i > 100);
  auto u = ts::add(f, i) + ts::sub(f, 1) + ts::mul(f, f) + ts::div(f, 3) + ts::neg(f) + ts::abs(f) + ts::sign(f) +
           ts::pow(f.abs(), 2) + ts::sqrt(f.abs()) + ts::rsqrt(f.abs() + 1) + ts::exp(f) + ts::expm1(f) +
           ts::log(f.abs() + 1) + ts::log1p(f.abs()) + ts::log2(f.abs() + 1) + ts::sin(f) + ts::cos(f) + ts::tan(f) +
           ts::tanh(f) + ts::sigmoid(f) + ts::relu(f) + ts::gelu(f) + ts::softplus(f) + ts::floor(f) + ts::ceil(f) +
           ts::round(f) + ts::clamp(f, -1.0, 1.0) + ts::minimum(f, i) + ts::maximum(f, i) +
           ts::where(cmp, f, 0) + ts::lerp(f, ts::zeros({2, 3}), 0.5) + ts::remainder(f, 2) + ts::fmod(f, 2) +
           ts::floor_divide(f, 2);
  auto pw = ts::log10(f.abs()) + ts::erf(f) + ts::erfc(f) + ts::erfinv(f / 10) + ts::lgamma(f) + ts::digamma(f) +
            ts::polygamma(1, f) + ts::sinc(f) + ts::deg2rad(f) + ts::rad2deg(f) + ts::logit(f, 0.1) +
            ts::nan_to_num(f, 0.0, 1.0, -1.0) + ts::square(f) + ts::reciprocal(f) + ts::trunc(f) + ts::fix(f) +
            ts::frac(f) + ts::exp2(f) + ts::sgn(f) + ts::positive(f) + f.log10() + f.erf() + f.erfc() + f.erfinv() +
            f.lgamma() + f.digamma() + f.polygamma(2) + f.sinc() + f.deg2rad() + f.rad2deg() + f.logit() +
            f.nan_to_num() + f.square() + f.reciprocal() + f.trunc() + f.fix() + f.frac() + f.exp2() + f.sgn() +
            f.positive();
  pw.clone().erf_().erfc_().erfinv_().lgamma_().digamma_().polygamma_(1).sinc_().deg2rad_().rad2deg_().logit_(0.1)
      .nan_to_num_().square_().reciprocal_().trunc_().fix_().frac_().exp2_().sgn_().log10_();
  std::cout << ts::erf_out(pw, f) << ts::polygamma_out(pw, 1, f) << ts::logit_out(pw, f, 0.1) << ts::nan_to_num_out(pw, f)
            << ts::square_out(pw, f) << ts::deg2rad_out(pw, f) << ts::rad2deg_out(pw, f) << ts::trunc_out(pw, f)
            << ts::fix_out(pw, f);
  std::cout << pw << ts::signbit(f) << f.signbit() << ts::signbit_out(ts::empty<bool>({2, 3}), f) << "\n";
  auto ints = ts::tensor({{5, -3, 0}, {7, 1, 2}});
  auto bw = (ints & 6) | ((3 | ints) ^ ~ints);
  bw = bw + (ints << 2) + (1 >> ints.abs()) + ts::bitwise_and(ints, ints) + ts::bitwise_or(ints, 1) + ints.bitwise_xor(ints) +
       ts::bitwise_left_shift(ints, ints.abs()) + ints.bitwise_right_shift(1) + ts::bitwise_not(ints) + ints.bitwise_not();
  bw &= ints, bw |= 1, bw ^= ints, bw <<= 1, bw >>= 1;
  bw.bitwise_and_(ints).bitwise_not_();
  auto bin = ts::atan2(f, f) + ts::arctan2(f, f) + f.atan2(f) + ts::hypot(f, f) + ts::logaddexp(f, f) +
             ts::logaddexp2(f, f) + ts::xlogy(f, f) + ts::xlogy(f, 2.0) + ts::xlogy(2, f) + ts::copysign(f, -1.0) +
             f.copysign(f) + ts::nextafter(f, f) + ts::heaviside(f, f) + f.heaviside(f) +
             ts::addcmul(f, f, f, 0.5) + ts::addcdiv(f, f, f.abs() + 1, 2.0) + f.addcmul(f, f) + f.addcdiv(f, f);
  bin.clone().atan2_(f).hypot_(f).logaddexp_(f).xlogy_(2.0).copysign_(f).nextafter_(f).addcmul_(f, f, 0.5);
  ts::atan2_out(bin, f, f), ts::xlogy_out(bin, f, 2.0), ts::bitwise_not_out(bw, ints), ts::heaviside_out(bin, f, f);
  {  // gcd, lcm, rsub, addr and the in-place products
    auto dv = ts::gcd(ints, ints) + ts::lcm(ints, ints) + ints.gcd(ints) + ints.lcm(ints);
    dv.gcd_(ints).lcm_(ints);
    ts::gcd_out(dv, ints, ints), ts::lcm_out(dv, ints, ints);
    auto v2 = ts::ones<float>({2}), v3 = ts::ones<float>({3}), m23 = ts::ones<float>({2, 3});
    auto rs = ts::rsub(f, f) + ts::rsub(f, f, 2) + ts::rsub(f, 1.5) + ts::rsub(f, 1.5, 0.5) + ts::addr(m23, v2, v3, 0.5, 2) +
              m23.addr(v2, v3) + m23.addmm(m23, ts::ones<float>({3, 3})) + m23.addbmm(ts::ones<float>({1, 2, 3}), ts::ones<float>({1, 3, 3}));
    rs.addr_(v2, v3).addmm_(m23, ts::ones<float>({3, 3}), 0.5, 2).cumsum_(1);
    v2.addmv_(m23, v3).addmv(m23, v3);
    m23.unsqueeze(0).baddbmm_(ts::ones<float>({1, 2, 3}), ts::ones<float>({1, 3, 3})).baddbmm(ts::ones<float>({1, 2, 3}), ts::ones<float>({1, 3, 3}));
    m23.addbmm_(ts::ones<float>({1, 2, 3}), ts::ones<float>({1, 3, 3}));
    std::cout << dv << rs << v2 << m23 << "\n";
    auto obs = ts::randn({3, 5});
    std::cout << ts::cov(obs) << ts::cov(obs, 0, ts::ones<int64_t>({5}), ts::ones<float>({5})) << obs.cov() << ts::corrcoef(obs)
              << obs.corrcoef() << ts::cosine_similarity(obs, obs, 1, 1e-8) << ts::nn::functional::cosine_similarity(obs, obs)
              << ts::pairwise_distance(obs, obs, 2, 1e-6, true) << ts::nn::functional::pairwise_distance(obs, obs)
              << ts::pdist(obs, 1) << ts::nn::functional::pdist(obs) << ts::trapezoid(obs) << ts::trapezoid(obs, obs, 0)
              << ts::trapz(obs, 0.5, 0) << ts::trapz(obs, obs) << ts::cumulative_trapezoid(obs) << ts::cumulative_trapezoid(obs, obs)
              << ts::renorm(obs, 2, 0, 1) << obs.renorm(1, 1, 2) << obs.clone().renorm_(2, 0, 1)
              << ts::isin(ints, ints) << ts::isin(ints, 2) << ts::isin(2, ints, false, true) << ts::frobenius_norm(obs)
              << ts::frobenius_norm(obs, {0, 1}, true) << ts::gradient(obs)[1] << ts::gradient(obs, 0.5, 1, 2)[0]
              << ts::gradient(obs, {1.0, 2.0}, {0, 1})[1] << ts::gradient(obs, 2.0, {1, 0})[0]
              << ts::gradient(obs, std::vector{ts::arange<float>(0, 5)}, 1)[0] << ts::gradient(ints)[0] << "\n";
    auto [run_max, run_argmax] = ts::cummax(obs, 1);
    auto [run_min, run_argmin] = obs.cummin(0);
    std::cout << ts::cumprod(obs, 1) << obs.cumprod(0) << obs.clone().cumprod_(1) << run_max << run_argmax << run_min << run_argmin
              << ts::logcumsumexp(obs, 1) << obs.logcumsumexp(0) << "\n";
    auto [mantissa, exponent] = ts::frexp(obs);
    std::cout << ts::quantile(obs, 0.5) << ts::quantile(obs, ts::tensor({0.25f, 0.5f}), 1, true, "midpoint") << obs.quantile(0.1, 0)
              << ts::nanquantile(obs, 0.5, 1) << obs.nanquantile(ts::tensor({0.5f})) << mantissa << exponent << std::get<1>(obs.frexp())
              << ts::i0(obs) << obs.i0() << obs.clone().i0_() << ts::mvlgamma(obs.abs() + 2, 2) << (obs.abs() + 2).mvlgamma(3)
              << (obs.abs() + 2).mvlgamma_(2) << ts::randint_like(obs, 5) << ts::randint_like(ints, -2, 2) << "\n";
    const auto shape_a = obs.abs() + 0.5f;
    std::cout << ts::igamma(shape_a, obs.abs()) << ts::igammac(shape_a, obs.abs()) << shape_a.igamma(obs.abs())
              << shape_a.igammac(obs.abs()) << shape_a.clone().igamma_(obs.abs()).igammac_(obs.abs()) << "\n";
  }
  auto fp = ts::float_power(f, f) + ts::float_power(f, 2) + ts::float_power(2, f) + f.float_power(0.5) + f.float_power(f);
  fp.float_power_(2);
  std::cout << bw << bin << fp << ts::isclose(f, f) << ts::isclose(f, f, 1e-5, 1e-8, true)
            << ts::allclose(f, f, 1e-5, 1e-8, true) << ts::diff(f) << f.diff(2, 0) << ts::diff(f, 1, 1, f, f) << "\n";
  f.add_(1).sub_(1).mul_(2).div_(2).clamp_(-5.0, 5.0);
  auto preds = ts::isnan(u).any().item() || ts::isinf(u).any().item() || !ts::isfinite(u).all().item();
  std::cout << ts::equal(f, f) << ts::allclose(f, f, 1e-5, 1e-8) << preds << e1 << e2 << e3 << e4 << "\n";
  std::cout << f.eq(i) << f.ne(1) << f.lt(f) << f.le(2.5) << f.gt(i) << f.ge(0) << cmp.logical_and(cmp)
            << cmp.logical_or(f.gt(0)) << ts::where(cmp.to<uint8_t>(), f, 0) << f.masked_fill(cmp.to<uint8_t>(), 1)
            << "\n";
  ts::set_warning_handler(ts::set_warning_handler(nullptr));
  std::cout << f.sum() << f.sum(1) << f.sum(-1, true) << f.sum({0, 1}, false) << f.mean() << f.prod() << f.max()
            << f.min() << f.argmax() << f.argmin() << f.amax(0) << f.amin(1) << f.std() << f.var() << f.norm()
            << f.logsumexp(1) << (f > 0.0).all() << (f > 0.0).any() << f.softmax(1) << f.log_softmax(1)
            << f.cumsum(1) << i.sum() << i.prod() << i.cumsum(0) << "\n";
  auto [maximums, indices] = f.max(1);
  auto [minimums, where_min] = f.min(0, true);
  auto [sorted_values, sorted_at] = f.sort(1, true, true);
  ts::ValuesIndices<float> largest = ts::topk(f, 2, 1, true, true);
  std::cout << sorted_values << sorted_at << largest.values << largest.indices << ts::sort(f).values << ts::argsort(f, 0)
            << f.argsort() << ts::msort(f) << f.msort() << f.topk(1).indices << ts::kthvalue(f, 1, 1, true).values
            << f.kthvalue(2).indices << ts::median(f) << f.median() << ts::median(f, 1).values << f.median(0, true).indices
            << ts::nanmedian(f) << f.nanmedian() << ts::nanmedian(f, 0).values << f.nanmedian(1, true).indices
            << ts::mode(i).values << i.mode(0, true).indices << "\n";
  auto [distinct, inverse_of, counts_of] = ts::unique(i, true, true, true);
  ts::UniqueResult<int64_t> runs = i.unique_consecutive(true, true, 0);
  std::cout << distinct << *inverse_of << *counts_of << runs.values << i.unique(false, false, false, 1).values
            << ts::unique_consecutive(i).values << ts::bincount(i.flatten().abs()) << ts::bincount(i.flatten().abs(), std::nullopt, 4)
            << ts::bincount(i.flatten().abs(), f.flatten()) << ts::histc(f, 10, -1, 1) << ts::count_nonzero(f)
            << ts::count_nonzero(f, 0) << ts::count_nonzero(f, {0, 1}) << ts::searchsorted(f.sort().values, f)
            << ts::searchsorted<int32_t>(ts::arange(0, 10), i, true, false, "left", std::nullopt) << ts::searchsorted(ts::arange(0, 10), 3)
            << ts::bucketize(f, ts::tensor({-1.0f, 0.0f, 1.0f}), false, true) << i.flatten().abs().bincount()
            << i.flatten().abs().bincount(f.flatten(), 2) << f.histc(4) << f.count_nonzero() << f.count_nonzero(1)
            << f.count_nonzero(ts::Shape{0, 1}) << std::get<0>(ts::histogram(f, 4, {{-1.0, 1.0}}))
            << std::get<1>(f.histogram(ts::tensor({-1.0f, 0.0f, 1.0f}), f.abs(), true)) << ts::put(f, i.flatten().abs(), f.flatten())
            << f.clone().put_(ts::tensor(int64_t{0}), f.flatten().narrow(0, 0, 1).clone(), true).ldexp(i)
            << ts::ldexp(f, i) << f.clone().ldexp_(i) << f.clone().lerp_(f, 0.5) << f.clone().lerp_(f, f.abs()) << "\n";
  auto o = ts::empty({2, 3});
  ts::add_out(o, f, f);
  ts::exp_out(o, f);
  ts::sum_out(o.select(1, 0), f, {1});
  std::cout << maximums << indices << minimums << where_min << o << "\n";
  auto m = ts::matmul(f, f.t()) + ts::mm(f, f.t()) + ts::bmm(f.unsqueeze(0), f.t().unsqueeze(0))[0] +
           ts::outer(f[0].slice(0, 0, 2), f[1].slice(0, 0, 2));
  std::cout << m << ts::mv(f, f[0]) << ts::dot(f[0], f[1]) << ts::einsum("ij,kj->ik", {f, f}) << "\n";
  std::cout << f.index({f > 0.0}) << f.index_select(1, ts::tensor({2, 0})) << f.gather(1, ts::tensor({{0}, {1}}))
            << f.scatter(1, ts::tensor({{0}, {1}}), 9.0) << f.masked_fill(f < 0.0, 0) << "\n";
  f.index_put_({f < 0.0}, 0.0);
  {
    // PyTorch's aliases, one-bound clamps and in-place comparisons.
    const auto al = ts::arange<float>(0, 6).reshape({2, 3}) - 2.5f;
    const auto an = ts::tensor({{1, -2, 3}, {0, 5, -6}});
    std::cout << ts::absolute(al) << al.absolute() << ts::negative(an) << an.negative() << ts::divide(al, an) << al.divide(2)
              << ts::true_divide(an, 2) << an.true_divide(al) << ts::multiply(al, 2) << al.multiply(an) << ts::subtract(al, an)
              << al.subtract(1) << ts::greater(al, 0) << ts::greater_equal(al, an) << ts::less(al, an) << ts::less_equal(al, 1)
              << ts::not_equal(an, 0) << al.greater(an) << al.greater_equal(0) << al.less(1) << al.less_equal(an)
              << al.not_equal(an) << ts::clip(al, -1.0, 1.0) << al.clip(0.5) << ts::clamp_min(al, 0) << ts::clamp_max(al, 0)
              << al.clamp_min(0) << al.clamp_max(0) << al.ndimension() << al.nelement() << ts::concat({al, al}, 1)
              << ts::concatenate({al, al}) << ts::row_stack({al, al}) << ts::ravel(al.t()) << al.ravel()
              << al.view_as(al.t()) << al.t().reshape_as(al) << an.byte() << "\n";
    al.clone().absolute_().negative_().divide_(2).true_divide_(2).multiply_(2).subtract_(1).clip_(-1.0, 1.0)
        .clamp_min_(0).clamp_max_(1);
    al.clone().eq_(al).ne_(1).lt_(al).le_(1).gt_(an).ge_(0).logical_and_(an).logical_or_(al).logical_not_();
    an.clone().greater_(0).greater_equal_(an).less_(2).less_equal_(al).not_equal_(1);
    std::cout << ts::asin(al / 4) << ts::acos(al / 4) << ts::atan(al) << ts::sinh(al) << ts::cosh(al) << ts::asinh(al)
              << ts::acosh(al + 4) << ts::atanh(al / 4) << al.asin() << al.acos() << al.atan() << al.sinh() << al.cosh()
              << al.asinh() << al.acosh() << al.atanh() << ts::arcsin(al) << ts::arccos(al) << ts::arctan(an)
              << ts::arcsinh(al) << ts::arccosh(al) << ts::arctanh(al) << al.arcsin() << al.arccos() << al.arctan()
              << al.arcsinh() << al.arccosh() << al.arctanh() << ts::asin_out(al.clone(), al) << "\n";
    al.clone().asin_().acos_().atan_().sinh_().cosh_().asinh_().acosh_().atanh_().arcsin_().arccos_().arctan_()
        .arcsinh_().arccosh_().arctanh_();
    const auto parts = ts::unbind(al, 1);
    const auto both = ts::broadcast_tensors<float>({al, al[0]});
    std::cout << parts.size() << al.unbind().size() << both.size() << ts::broadcast_to(al[0], {2, 3}) << al[0].broadcast_to({2, 3})
              << ts::atleast_1d(al) << ts::atleast_2d(al[0]) << ts::atleast_3d(al) << ts::dstack({al, al})
              << ts::column_stack({al, al}) << ts::split_with_sizes(al, {1, 2}, 1)[0] << ts::fmax(al, an) << al.fmin(an)
              << ts::logical_xor(al, an) << al.logical_xor(an) << ts::isposinf(al) << al.isneginf() << ts::isneginf(al)
              << al.isposinf() << ts::isreal(al) << al.isreal() << ts::is_signed(al) << al.is_signed()
              << ts::is_nonzero(al[0][0]) << al[0][0].is_nonzero() << ts::nansum(al) << ts::nansum(al, {1}, true)
              << ts::nanmean(al) << ts::nanmean(al, {0}) << ts::dist(al, an) << ts::dist(al, al, 1) << "\n";
    al.clone().logical_xor_(an);
    auto [lowest, highest] = ts::aminmax(al, 1, true);
    const auto grid = ts::meshgrid({al[0], al[1]}, "xy");
    std::cout << ts::diagflat(al, 1) << al.diagflat() << lowest << highest << std::get<0>(ts::aminmax(al))
              << ts::inner(al, al) << grid[0] << ts::meshgrid({al[0]})[0] << "\n";
  }
  {
    // Shape functions and selection by mask and index.
    const auto cube = ts::arange<float>(0, 24).reshape({2, 3, 4});
    const auto mask = cube[0] > 4.0f;
    const auto flat_idx = ts::tensor({{0, 2}, {1, 0}});
    std::cout << ts::movedim(cube, 0, 2) << cube.movedim({0, 1}, {2, 0}) << ts::moveaxis(cube, ts::Shape{0}, ts::Shape{1}) << cube.moveaxis(1, 2)
              << ts::swapaxes(cube, 0, 1) << cube.swapdims(1, 2) << ts::swapdims(cube, 0, 2) << cube.swapaxes(0, 2)
              << ts::unflatten(cube, 2, {2, 2}) << cube.unflatten(-1, {-1, 2}) << cube.narrow_copy(2, 1, 2)
              << ts::narrow_copy(cube, 0, 0, 1) << cube.numpy_T() << cube.mT() << cube.mH() << ts::diagonal(cube, 0, 1, 2)
              << ts::diag_embed(cube[0]) << cube[0].diag_embed(1, 0, 2) << cube.new_zeros({2}) << cube.new_ones<int64_t>({2})
              << cube.new_full({2}, 7) << cube.new_full<double>({1}, 0.5, {}) << cube.new_empty({0}).numel()
              << cube.new_zeros({1}, {.device = ts::Device::cpu()}) << cube.new_ones({1}, {}) << cube.new_empty({1}, {}).numel()
              << ts::nonzero(mask) << mask.nonzero() << ts::nonzero_numpy(mask)[0] << mask.nonzero_numpy()[1]
              << ts::argwhere(mask) << mask.argwhere() << ts::where(mask)[0] << ts::masked_select(cube, mask)
              << cube.masked_select(mask) << ts::masked_scatter(cube, mask, -cube) << cube.clone().masked_scatter_(mask, -cube)
              << cube.masked_scatter(mask, cube) << ts::take(cube, flat_idx) << cube.take(flat_idx) << ts::take_along_dim(cube, flat_idx)
              << cube.take_along_dim(flat_idx.unsqueeze(2), 1) << ts::repeat_interleave(ts::tensor({1, 0, 2}))
              << ts::repeat_interleave(ts::tensor({2, 1}), std::optional<int64_t>(3)) << ts::repeat_interleave(cube, 2)
              << cube.repeat_interleave(2, 1) << ts::repeat_interleave(cube, ts::tensor({1, 0, 2}), 1, 3)
              << cube.repeat_interleave(ts::tensor({2}), 0) << "\n";
    const auto grid = ts::arange<float>(0, 12).reshape({3, 4});
    const auto where_to = ts::tensor({{0, 2, 1, 2}, {1, 0, 0, 2}});
    const auto ones24 = ts::ones<float>({2, 4});
    std::cout << grid.scatter_reduce(0, where_to, ones24, "amax") << ts::scatter_reduce(grid, 0, where_to, ones24, "mean", false)
              << grid.clone().scatter_reduce_(0, where_to, ones24, "prod") << grid.scatter(0, where_to, ones24, "add")
              << ts::scatter(grid, 0, where_to, ones24, "multiply") << grid.scatter(0, where_to, 2.0, "multiply")
              << ts::scatter(grid, 0, where_to, 2, "add") << grid.clone().scatter_(0, where_to, ones24, "add")
              << grid.clone().scatter_(0, where_to, 3, "multiply") << grid.index_add(0, ts::tensor({0, 2}), ones24)
              << ts::index_add(grid, 0, ts::tensor({0, 2}), ones24, 2) << grid.clone().index_add_(0, ts::tensor({1}), ones24[0].unsqueeze(0), 0.5)
              << grid.index_copy(0, ts::tensor({2, 0}), ones24) << ts::index_copy(grid, 0, ts::tensor({1}), ones24[0].unsqueeze(0))
              << grid.clone().index_copy_(0, ts::tensor({0}), ones24[1].unsqueeze(0)) << grid.index_fill(1, ts::tensor({0, -1}), -1)
              << ts::index_fill(grid, 0, ts::tensor({1}), 2.5) << grid.clone().index_fill_(1, ts::tensor({2}), 0)
              << grid.index_fill(1, ts::tensor({0}), ts::tensor(2.5)) << ts::index_fill(grid, 0, ts::tensor({1}), ts::tensor(1))
              << grid.clone().index_fill_(0, ts::tensor({2}), ts::tensor(-1.0)) << "\n";
    auto out34 = ts::empty<float>({3, 4});
    auto out2 = ts::empty<float>({2});
    auto out_rows = ts::empty<int64_t>({11, 2});
    auto out_picked = ts::empty<float>({3});
    std::cout << ts::scatter_reduce_out(out34, grid, 0, where_to, ones24, "sum") << ts::scatter_out(out34, grid, 0, where_to, ones24, "add")
              << ts::index_add_out(out34, grid, 0, ts::tensor({0, 2}), ones24, 2) << ts::index_copy_out(out34, grid, 0, ts::tensor({0, 2}), ones24)
              << ts::take_out(out2, grid, ts::tensor({0, 5})) << ts::take_along_dim_out(out2, grid, ts::tensor({0, 5}))
              << ts::narrow_copy_out(out2, grid[0], 0, 1, 2) << ts::masked_select_out(out_picked, grid, grid > 8.0f)
              << ts::nonzero_out(out_rows, grid) << "\n";
  }

  {
    const auto pa = ts::ones({2, 3}), pb = ts::ones({3, 4});
    std::cout << ts::addmm(ts::ones({4}), pa, pb, 0.5, 2.0) << ts::addmv(ts::ones({2}), pa, ts::ones({3}), 1.0, 1.0)
              << ts::baddbmm(ts::ones({1, 2, 4}), pa.unsqueeze(0), pb.unsqueeze(0), 1.0, 1.0)
              << ts::addbmm(ts::ones({2, 4}), pa.unsqueeze(0), pb.unsqueeze(0), 1.0, 1.0)
              << ts::cross(ts::ones({2, 3}), ts::ones({2, 3}), -1) << ts::kron(pa, pb) << ts::tensordot(pa, pb, 1)
              << ts::tensordot(pa, pb, {1}, {0}) << ts::cdist(pa, pa, 2.0) << "\n";
  }

  // ts::linalg (<tessera/linalg.hpp>).
  {
    namespace L = ts::linalg;
    const auto la = ts::eye<double>(3) * 2.0 + ts::ones<double>({3, 3}) * 0.5;
    const auto lb = ts::ones<double>({3, 2});
    auto [sign, logabsdet] = L::slogdet(la);
    auto [lu, pivots] = L::lu_factor(la);
    auto [q, r] = L::qr(la, "reduced");
    auto [evals, evecs] = L::eigh(la, "L");
    auto [lu_u, ls_s, lu_vh] = L::svd(la, false);
    auto ls = L::lstsq(la, lb);
    std::cout << L::solve(la, lb, true) << L::inv(la) << L::det(la) << sign << logabsdet << L::cholesky(la, false)
              << L::solve_triangular(la, lb, true, true, false) << ts::cholesky_solve(lb, L::cholesky(la), false)
              << L::lu_solve(lu, pivots, lb, true, false) << L::matrix_power(la, -2) << L::multi_dot({la, la, lb}) << q << r
              << evals << evecs << L::eigvalsh(la, "U") << lu_u << ls_s << lu_vh << L::svdvals(la) << L::pinv(la) << L::matrix_rank(la)
              << ls.solution << ls.residuals << ls.rank << ls.singular_values << L::cond(la) << L::cond(la, "fro")
              << L::matrix_norm(la, "nuc") << L::matrix_norm(la, 2.0) << L::vector_norm(la, 3.0) << L::norm(la)
              << L::norm(la, "fro") << ts::nuclear_norm(la) << ts::nuclear_norm(la.unsqueeze(0), {0, 2}, true) << "\n";
  }

  // 5. Random numbers.
  std::array<uint32_t, 4> bits = ts::philox4x32_10({0, 0, 0, 0}, {0, 0});
  ts::Generator gen(42);
  gen.manual_seed(7);
  gen.set_offset(gen.offset() + 1);
  ts::GeneratorState gen_state = gen.get_state();
  gen.set_state(gen_state);
  ts::manual_seed(1);
  ts::Generator& global = ts::default_generator();
  std::cout << bits[0] << gen.seed() << global.seed() << ts::rand({2}) << ts::rand({2}, gen) << ts::randn({2}, gen)
            << ts::randint(0, 5, {3}) << ts::randint(0, 5, {3}, gen) << ts::randperm(4) << ts::randperm(4, gen)
            << ts::bernoulli(ts::full({3}, 0.5)) << ts::multinomial(ts::tensor({0.2, 0.8}), 3, true)
            << ts::rand_like(f) << ts::randn_like(f, gen) << "\n";
  f.uniform_(0, 1);
  f.normal_(0, 1, gen);
  f.bernoulli_(0.5);
  f.exponential_();
  f.exponential_(2.5, gen);
  f.cauchy_();
  f.cauchy_(1, 0.5, gen);
  f.log_normal_();
  f.log_normal_(0, 0.5, gen);
  f.geometric_(0.5);
  i.clone().geometric_(0.25, gen);
  f.random_();
  f.random_(gen);
  f.random_(10);
  f.random_(10, gen);
  f.random_(-3, 10);
  f.random_(-3, 10, gen);
  ts::zeros<int64_t>({3}).random_();
  ts::zeros<uint8_t>({3}).random_(0, 256, gen);
  // PyTorch's CPU stream (mt19937): torch.manual_seed(42); torch.rand(2, 3)
  ts::Generator torch_gen(7, ts::RngAlgorithm::mt19937);
  ts::set_default_rng_algorithm(ts::RngAlgorithm::mt19937);
  ts::manual_seed(42);
  std::cout << ts::rand({2, 3}) << ts::randn({2}, torch_gen) << (torch_gen.algorithm() == ts::RngAlgorithm::mt19937) << "\n";
  ts::set_default_rng_algorithm(ts::RngAlgorithm::philox4x32_10);

  // 6. Autograd.
  auto leaf = ts::tensor({1.0, 2.0, 3.0}, {.requires_grad = true});
  auto leaf_loss = (leaf * leaf).sum();
  leaf_loss.backward();
  auto h = leaf * 2;
  h.retain_grad();
  h.backward(ts::ones_like(h), true);
  std::cout << leaf.grad() << h.grad() << leaf_loss.grad_fn_name() << leaf.detach() << ts::GradMode::is_enabled() << "\n";
  {
    ts::NoGradGuard no_grad;
    leaf.sub_(leaf.grad() * 0.1);
  }
  auto xd = ts::randn<double>({3}).requires_grad_();
  std::vector<ts::AnyTensor> grads = ts::autograd::grad({(xd * xd).sum()}, {xd}, {}, true, true);
  std::cout << grads[0] << ts::autograd::gradcheck([](const std::vector<ts::Tensor<double>>& in) { return in[0].sin(); },
                                                   {xd})
            << "\n";
  std::cout << ts::autograd::gradgradcheck([](const std::vector<ts::Tensor<double>>& in) { return in[0].sin(); }, {xd})
            << "\n";
  // Hooks, create_graph, anomaly detection, custom functions.
  ts::autograd::RemovableHandle hook = h.register_hook([](const ts::Tensor<float>& grad) { return grad * 2; });
  hook.remove();
  (xd * xd).sum().backward({}, std::nullopt, /*create_graph=*/true);
  xd.set_grad({});
  ts::autograd::set_detect_anomaly(false);
  {
    ts::autograd::detect_anomaly anomaly;
    std::cout << ts::autograd::is_anomaly_enabled() << "\n";
  }
  {
    ts::autograd::DetectAnomalyGuard anomaly;
  }
  struct Square : ts::autograd::Function<Square> {
    static ts::Tensor<double> forward(ts::autograd::AutogradContext* ctx, const ts::Tensor<double>& x, double k) {
      ctx->save_for_backward(x);
      ctx->saved_data["k"] = k;
      ctx->set_materialize_grads(true);
      return x * x * k;
    }
    static ts::autograd::variable_list backward(ts::autograd::AutogradContext* ctx, ts::autograd::variable_list g) {
      const ts::Tensor<double> x = ctx->saved_tensor<double>(0);
      const bool needed = ctx->needs_input_grad(0) && ctx->saved_tensors().size() == 1;
      if (!needed) return {ts::AnyTensor(), ts::AnyTensor()};
      return {g[0].as<double>() * x * 2 * std::any_cast<double>(ctx->saved_data["k"]), ts::AnyTensor()};
    }
  };
  struct SortValues : ts::autograd::Function<SortValues> {
    static std::tuple<ts::Tensor<double>, ts::Tensor<int64_t>> forward(ts::autograd::AutogradContext* ctx,
                                                                       const ts::Tensor<double>& x) {
      auto [sorted, order] = x.sort();
      ctx->mark_non_differentiable(order);
      ctx->mark_dirty();
      ctx->save_for_backward(order);
      return {sorted, order};
    }
    static ts::Tensor<double> backward(ts::autograd::AutogradContext* ctx, const ts::Tensor<double>& g,
                                       const ts::Tensor<int64_t>&) {
      return ts::zeros_like(g).scatter(0, ctx->saved_tensor<int64_t>(0), g);
    }
  };
  std::cout << Square::apply(xd, 3.0) << std::get<1>(SortValues::apply(xd)) << "\n";

  // 12. nn, optim, data.
  {
    namespace nn = ts::nn;
    namespace F = ts::nn::functional;
    nn::Linear fc(4, 3);
    nn::Sequential model{nn::Conv2d(1, 2, 3, {.stride = 1, .padding = 1, .dilation = 1, .groups = 1, .bias = true}),
                         nn::BatchNorm2d(2), nn::ReLU(), nn::MaxPool2d(2, 2), nn::AvgPool2d(1), nn::Flatten(),
                         nn::Dropout(0.1), nn::Linear(8, 4), nn::BatchNorm1d(4), nn::LayerNorm({4}), nn::GELU(),
                         nn::Sigmoid(), nn::Tanh(), fc, nn::Softmax(1)};
    nn::Embedding emb(10, 4);
    {
      const ts::Tensor<float> kernel = ts::empty<float>({4, 3, 2});
      nn::init::kaiming_uniform_(kernel, std::sqrt(5.0), "fan_in", "leaky_relu", gen);
      nn::init::kaiming_normal_(kernel);
      nn::init::xavier_uniform_(kernel, nn::init::calculate_gain("relu"));
      nn::init::xavier_normal_(kernel);
      nn::init::uniform_(kernel, -1.0, 1.0);
      nn::init::normal_(kernel, 0.0, 0.02);
      nn::init::trunc_normal_(kernel, 0.0, 0.02, -0.04, 0.04);
      nn::init::orthogonal_(kernel, nn::init::calculate_gain("tanh"));
      nn::init::constant_(kernel, 0.5);
      nn::init::ones_(kernel);
      nn::init::zeros_(kernel);
      nn::init::dirac_(kernel);
      nn::init::eye_(ts::empty<float>({3, 3}));
    }
    {
      const ts::Tensor<float> act_in = ts::randn({2, 4});
      auto acts = nn::Sequential{nn::LeakyReLU(0.2), nn::ELU(), nn::SELU(), nn::CELU(), nn::SiLU(), nn::Mish(),
                                 nn::Hardtanh(), nn::ReLU6(), nn::Hardswish(), nn::Hardsigmoid(), nn::Softplus(2.0, 10.0),
                                 nn::LogSigmoid(), nn::Softsign(), nn::Tanhshrink(), nn::Softshrink(), nn::Hardshrink(),
                                 nn::Threshold(0.1, 0.0), nn::PReLU(4), nn::Identity(), nn::LogSoftmax(1), nn::Softmin(1),
                                 nn::GLU()};
      std::cout << acts(act_in) << F::gelu(act_in, "tanh") << F::leaky_relu(act_in, 0.1) << F::softplus(act_in, 1.0, 20.0) << F::glu(act_in, 1)
                << F::prelu(act_in, ts::full<float>({4}, 0.1f)) << F::softmax(act_in, 1) << F::log_softmax(act_in, 1) << "\n";
    }
    std::vector<ts::Tensor<float>> params = model.parameters();
    for (const auto& [name, p] : model.named_parameters()) std::cout << name << p.sizes() << " ";
    std::map<std::string, ts::AnyTensor> state = model.state_dict();
    model.load_state_dict(state);
    const ts::NamedTensors named_state = model.state_dict();
    std::cout << named_state.at(named_state.begin()->first).sizes();
    model.eval();
    model.train(true);
    model.to(ts::Device::cpu());
    {
      nn::ModuleList list(nn::Linear(2, 2), nn::ReLU());
      list.append(nn::Tanh());
      nn::ModuleDict dict;
      dict.insert("fc", nn::Linear(2, 1));
      nn::ParameterList plist({ts::zeros<float>({2})});
      plist.append(ts::ones<float>({1}));
      std::cout << list.at<nn::Linear>(0)(ts::ones<float>({1, 2})) << list[1].is_training() << list.size()
                << dict.at<nn::Linear>("fc").weight() << dict["fc"].parameters().size() << dict.contains("fc")
                << dict.keys().size() << plist[0] << plist.size() << model.named_modules().size()
                << model.modules().size() << model.children().size() << "\n";
      model.apply([](const nn::Module& each) { (void)each.is_training(); });
      model.requires_grad_(true);
      ts::autograd::RemovableHandle pre = model.register_forward_pre_hook(
          [](const nn::Module&, const nn::HookTensors& input) { return nn::HookTensors{input[0]}; });
      ts::autograd::RemovableHandle post = model.register_forward_hook(
          [](const nn::Module&, const nn::HookTensors&, const nn::HookTensors& output) { std::cout << output.size(); });
      const nn::ForwardPreHook pre_fn = [](const nn::Module&, const nn::HookTensors&) { return std::nullopt; };
      const nn::ForwardHook post_fn = [](const nn::Module&, const nn::HookTensors&, const nn::HookTensors&) {
        return std::optional<nn::HookTensors>();
      };
      model.register_forward_pre_hook(pre_fn).remove();
      model.register_forward_hook(post_fn).remove();
      pre.remove();
      post.remove();
    }
    {
      nn::MultiheadAttention mha(8, 2, {.dropout = 0.0, .bias = true, .batch_first = true});
      const ts::Tensor<float> seq = ts::randn({2, 5, 8});
      auto [attended, attention] = mha(seq, seq, seq, {.key_padding_mask = ts::zeros<bool>({2, 5}), .need_weights = true,
                                                       .attn_mask = ts::zeros<bool>({5, 5}), .average_attn_weights = true});
      nn::TransformerEncoderLayer enc_layer(8, 2, {.dim_feedforward = 16, .dropout = 0.1, .activation = "gelu",
                                                   .layer_norm_eps = 1e-5, .batch_first = true, .norm_first = true});
      nn::TransformerEncoder encoder(enc_layer, 2, nn::LayerNorm(8));
      std::cout << attended << attention << enc_layer(seq) << encoder(seq, ts::zeros<bool>({5, 5}), ts::zeros<bool>({2, 5}))
                << enc_layer.clone().parameters().size() << encoder.layers().size() << mha.in_proj_weight().sizes()
                << F::scaled_dot_product_attention(seq, seq, seq, {.is_causal = true}) << "\n";
      nn::TransformerDecoderLayer dec_layer(8, 2, {.dim_feedforward = 16, .dropout = 0.0, .batch_first = true});
      nn::TransformerDecoder decoder(dec_layer, 2, nn::LayerNorm(8));
      const ts::Tensor<float> causal = nn::Transformer::generate_square_subsequent_mask(5);
      nn::Transformer transformer(8, 2, {.num_encoder_layers = 1, .num_decoder_layers = 1, .dim_feedforward = 16,
                                         .dropout = 0.0, .activation = "relu", .layer_norm_eps = 1e-5,
                                         .batch_first = true, .norm_first = false});
      std::cout << dec_layer(seq, seq, {.tgt_mask = causal, .memory_mask = {}, .tgt_key_padding_mask = {},
                                        .memory_key_padding_mask = ts::zeros<bool>({2, 5})}).sizes()
                << decoder(seq, seq, causal).sizes() << dec_layer.clone().parameters().size()
                << dec_layer.multihead_attn().in_proj_weight().sizes() << decoder.layers().size()
                << transformer(seq, seq, {.tgt_mask = causal}).sizes() << transformer.encoder().layers().size()
                << transformer.decoder().layers().size() << "\n";
    }
    {
      const ts::Tensor<float> image = ts::randn({1, 2, 3, 4}), volume = ts::randn({1, 2, 2, 3, 4});
      std::cout << F::pad(image, {1, 2}) << F::pad(image, {1, 1, 2, 0}, "constant", 0.5).sizes()
                << F::pad(image, {2, 1, 1, 1}, "reflect").sizes() << F::pad(image[0], {1, 0}, "replicate").sizes()
                << F::pad(image, {1, 1, 2, 1}, "circular").sizes() << nn::ZeroPad2d(1)(image).sizes()
                << nn::ZeroPad2d({1, 0, 2, 1})(image).sizes() << nn::ConstantPad1d(2, 3.5)(image).sizes()
                << nn::ConstantPad2d({1, 0, 0, 1}, -1)(image).sizes() << nn::ConstantPad3d(1, 0.5)(volume).sizes()
                << nn::ReflectionPad1d({2, 1})(image[0]).sizes() << nn::ReflectionPad2d(1)(image).sizes()
                << nn::ReflectionPad3d(1)(volume).sizes() << nn::ReplicationPad1d(2)(image[0]).sizes()
                << nn::ReplicationPad2d({1, 2, 0, 1})(image).sizes() << nn::ReplicationPad3d(1)(volume).sizes()
                << nn::ReflectionPad2d(1).padding().size() << "\n";
    }
    {
      const ts::Tensor<float> image = ts::randn({1, 2, 5, 6}), signal = ts::randn({2, 3, 7});
      std::cout << F::adaptive_avg_pool2d(image, {2, 3}) << F::adaptive_avg_pool2d(image, 1).sizes()
                << F::adaptive_max_pool2d(image, {3, 2}).sizes() << F::adaptive_max_pool2d(image[0], 2).sizes()
                << F::adaptive_avg_pool1d(signal, 3).sizes() << F::adaptive_max_pool1d(signal, 4).sizes()
                << nn::AdaptiveAvgPool2d({1, 1})(image).sizes() << nn::AdaptiveAvgPool2d(3)(image).sizes()
                << nn::AdaptiveMaxPool2d({2, 2})(image).sizes() << nn::AdaptiveAvgPool1d(2)(signal).sizes()
                << nn::AdaptiveMaxPool1d(4)(signal).sizes() << "\n";
      const auto [pooled, where] = F::max_pool2d_with_indices(image, {3, 2}, {2, 1}, {1, 0}, 1, true);
      const auto [pooled1, where1] = F::max_pool1d_with_indices(signal, 3, 2, 1);
      const ts::Tensor<float> volume = ts::randn({1, 2, 4, 5, 6});
      const auto [pooled3, where3] = F::max_pool3d_with_indices(volume, {2, 3, 2}, 2, 1, 1, true);
      std::cout << F::max_pool3d(volume, 2).sizes() << F::max_pool3d(volume[0], 2, 1, 1).sizes() << pooled3.sizes()
                << where3.sizes() << F::avg_pool3d(volume, 3, 2, 1, true, false, 5).sizes() << nn::MaxPool3d(2)(volume).sizes()
                << nn::MaxPool3d({2, 2, 3}, {.stride = 2, .padding = 1, .ceil_mode = true})(volume).sizes()
                << nn::AvgPool3d(3, 2, 1)(volume).sizes()
                << nn::AvgPool3d(2, {.stride = {1, 2, 2}, .ceil_mode = true, .count_include_pad = false})(volume).sizes()
                << std::get<1>(nn::MaxPool3d(2).forward_with_indices(volume)).sizes() << "\n";
      std::cout << F::max_pool2d(image, 3, 2, 1, 1, true).sizes() << F::max_pool2d(image[0], {2, 3}).sizes()
                << F::avg_pool2d(image, 3, 2, 1, true, false, 4).sizes() << F::max_pool1d(signal, 2).sizes()
                << F::avg_pool1d(signal, 3, 2, 1, true, false).sizes() << pooled.sizes() << where.sizes()
                << pooled1.sizes() << where1.sizes() << F::max_unpool2d(pooled, where, {3, 2}, {2, 1}, {1, 0}, {5, 6}).sizes()
                << nn::MaxPool2d(2)(image).sizes() << nn::MaxPool2d(3, 2, 1)(image).sizes()
                << nn::MaxPool2d({3, 2}, {.stride = 1, .padding = {1, 0}, .dilation = 1, .ceil_mode = true})(image).sizes()
                << std::get<1>(nn::MaxPool2d(2).forward_with_indices(image)).sizes()
                << nn::AvgPool2d(3, {.stride = 2, .padding = 1, .ceil_mode = true, .count_include_pad = false,
                                     .divisor_override = 2})(image).sizes()
                << nn::MaxPool1d(3, {.stride = 2, .ceil_mode = true})(signal).sizes() << nn::MaxPool1d(3, {.stride = 2})(signal).sizes() << nn::AvgPool1d(2)(signal).sizes()
                << nn::MaxUnpool2d(2)(std::get<0>(F::max_pool2d_with_indices(image, 2)),
                                      std::get<1>(F::max_pool2d_with_indices(image, 2))).sizes()
                << F::interpolate(image, {.size = {7, 9}, .mode = "bilinear", .align_corners = true}).sizes()
                << F::interpolate(signal, {.scale_factor = {1.5}, .mode = "linear", .recompute_scale_factor = true}).sizes()
                << F::interpolate(image, {.scale_factor = {2}, .mode = "nearest-exact"}).sizes()
                << nn::Upsample({.scale_factor = {2}, .mode = "bilinear"})(image).sizes()
                << nn::UpsamplingNearest2d({.size = {8, 8}})(image).sizes()
                << nn::UpsamplingBilinear2d({.scale_factor = {2}})(image).sizes()
                << std::get<1>(F::adaptive_max_pool2d_with_indices(image, {2, 3})).sizes()
                << std::get<1>(F::adaptive_max_pool2d_with_indices(image[0], 2)).sizes()
                << std::get<1>(F::adaptive_max_pool1d_with_indices(signal, 3)).sizes()
                << std::get<1>(nn::AdaptiveMaxPool2d({2, 2}).forward_with_indices(image)).sizes()
                << std::get<1>(nn::AdaptiveMaxPool1d(4).forward_with_indices(signal)).sizes() << "\n";
    }
    {
      nn::Embedding padded(10, 4, 0);
      auto pretrained = nn::Embedding::from_pretrained(ts::randn({5, 4}), true, -1);
      nn::Dropout2d drop2d(0.2);
      nn::GroupNorm group_norm(2, 8);
      nn::InstanceNorm2d instance_norm(8, 1e-5, true);
      const ts::Tensor<float> image = ts::randn({2, 8, 3, 3});
      std::cout << padded(ts::tensor({0, 3})) << pretrained(ts::tensor({4})) << padded.padding_idx().value_or(-1)
                << drop2d(image).sizes() << group_norm(image).sizes() << instance_norm(image).sizes()
                << F::dropout2d(image, 0.5, false).sizes() << F::dropout1d(image[0], 0.5, true).sizes()
                << F::group_norm(image, 4).sizes() << F::instance_norm(image).sizes()
                << F::embedding(ts::tensor({1}), pretrained.weight(), std::optional<int64_t>{0}).sizes() << "\n";
      nn::Conv1d conv1(8, 4, 3, {.stride = 1, .padding = 0, .dilation = 1, .groups = 1, .bias = true, .padding_same = true});
      std::cout << conv1(ts::randn({2, 8, 5})).sizes() << F::conv1d(ts::randn({8, 5}), conv1.weight(), conv1.bias(), {.padding = 1}).sizes();
      nn::Conv2d conv2(8, 4, {2, 3}, {.stride = {1, 2}, .padding = {1, 0}, .dilation = {2, 1}, .groups = 2, .bias = true});
      nn::Conv2d conv_same(8, 4, {4, 3}, {.padding = "same", .dilation = 2});
      const nn::Conv2dOptions valid{.stride = 2, .padding = std::string("valid"), .groups = 2};
      const nn::ExpandingArray<2> kernel2 = {3, 1};
      const nn::ConvPadding<2> same = "same";
      std::cout << conv2(image).sizes() << conv_same(image[0]).sizes() << F::conv2d(image, conv2.weight(), {}, valid).sizes()
                << kernel2[1] << same.is_string()
                << F::conv1d(ts::randn({8, 5}), conv1.weight(), {}, {.padding = "valid"}).sizes();
      nn::ConvTranspose1d deconv1(8, 4, 3, {.stride = 2, .padding = 1, .output_padding = 1, .groups = 2, .bias = true, .dilation = 1});
      nn::ConvTranspose2d deconv2(8, 4, 3, {.stride = 2, .padding = 1, .output_padding = 0, .groups = 1, .bias = false, .dilation = 2});
      std::cout << deconv1(ts::randn({2, 8, 5})).sizes() << deconv1(ts::randn({8, 5}), {10}).sizes()
                << deconv2(image).sizes() << deconv2(image, {2, 4, 8, 8}).sizes()
                << F::conv_transpose1d(ts::randn({8, 5}), deconv1.weight(), deconv1.bias(), {.stride = 2, .groups = 2}).sizes()
                << F::conv_transpose2d(image, deconv2.weight(), {}, {.stride = 2, .output_padding = 1}).sizes();
      nn::ConvTranspose2d deconv_rect(8, 4, {2, 3}, {.stride = {2, 1}, .padding = {1, 0}, .output_padding = {1, 0}, .groups = 2,
                                                     .bias = true, .dilation = {1, 2}, .padding_mode = "zeros"});
      nn::Conv1d conv1_mode(8, 4, 3, {.padding = 1, .padding_mode = "reflect"});
      nn::Conv2d conv2_mode(8, 4, {2, 3}, {.padding = {1, 2}, .padding_mode = "circular"});
      std::cout << deconv_rect(image).sizes() << deconv_rect(image, {5, 7}).sizes() << conv1_mode(ts::randn({2, 8, 5})).sizes()
                << conv2_mode(image).sizes()
                << F::conv2d(image, conv2_mode.weight(), {}, {.padding = "same", .padding_mode = "replicate"}).sizes()
                << F::conv_transpose2d(image, deconv_rect.weight(), {}, {.stride = {1, 2}, .padding = {0, 1}, .groups = 2}).sizes();
      nn::ConvTranspose3d deconv3(8, 4, {2, 3, 2}, {.stride = {1, 2, 2}, .padding = 1, .output_padding = {0, 1, 1}, .groups = 2,
                                                    .bias = true, .dilation = 1, .padding_mode = "zeros"});
      const ts::Tensor<float> volume = ts::randn({2, 8, 3, 4, 5});
      std::cout << deconv3(volume).sizes() << deconv3(volume[0], {2, 8, 9}).sizes()
                << F::conv_transpose3d(volume, deconv3.weight(), deconv3.bias(), {.stride = 2, .groups = 2}).sizes();
      nn::LSTM lstm(8, 4, {.num_layers = 2, .bias = true, .batch_first = true, .dropout = 0.1, .bidirectional = true});
      nn::GRU gru(8, 4);
      nn::RNN rnn(8, 4, {.nonlinearity = "relu"});
      const ts::Tensor<float> seq = ts::randn({2, 5, 8});
      auto [lstm_out, lstm_state] = lstm(seq, {ts::zeros<float>({4, 2, 4}), ts::zeros<float>({4, 2, 4})});
      auto [gru_out, gru_h] = gru(seq);
      auto [rnn_out, rnn_h] = rnn(seq, ts::zeros<float>({1, 5, 4}));
      nn::LSTMCell lstm_cell(8, 4);
      nn::GRUCell gru_cell(8, 4);
      nn::RNNCell rnn_cell(8, 4, true, "tanh");
      auto [cell_h, cell_c] = lstm_cell(seq[0]);
      std::cout << lstm_out.sizes() << lstm_state.first.sizes() << gru_out.sizes() << gru_h.sizes() << rnn_out.sizes()
                << rnn_h.sizes() << cell_h.sizes() << cell_c.sizes() << gru_cell(seq[0]).sizes() << rnn_cell(seq[0]).sizes()
                << lstm.hidden_size() << "\n";
    }
    auto out = model(ts::randn({2, 1, 4, 4}));
    model.zero_grad();
    auto targets = ts::tensor({0, 2});
    auto loss = F::cross_entropy(out, targets) + F::nll_loss(out.log(), targets) + F::mse_loss(out, out.detach()) +
                F::binary_cross_entropy_with_logits(out, out.detach()) + F::linear(out, fc.weight().t()).sum() +
                F::conv2d(ts::ones({1, 1, 3, 3}), ts::ones({1, 1, 2, 2})).sum() +
                F::max_pool2d(ts::ones({1, 1, 2, 2}), 2).sum() + F::dropout(out, 0.5, false).sum() +
                emb(targets).sum();
    std::cout << F::one_hot(targets, 3) << "\n";
    {
      using ts::nn::Reduction;
      const auto class_w = ts::ones({3}), probs = out.detach().softmax(1), sign = ts::tensor({1.0f, -1.0f});
      const ts::nn::CrossEntropyLossOptions<float> ce_options{.weight = class_w, .ignore_index = -100,
                                                               .reduction = Reduction::Mean, .label_smoothing = 0.1};
      loss = loss + F::cross_entropy(out, targets, ce_options) + F::cross_entropy(out, targets, class_w) +
             F::cross_entropy(out, probs, {.weight = class_w}) +
             F::nll_loss(out.log(), targets, {.weight = class_w, .ignore_index = 1, .reduction = Reduction::Sum}) +
             F::nll_loss(out.log(), targets, class_w) + F::mse_loss(out, probs, {.reduction = Reduction::Mean}) +
             F::l1_loss(out, probs, {.reduction = Reduction::Sum}) +
             F::smooth_l1_loss(out, probs, {.reduction = Reduction::Mean, .beta = 0.5}) +
             F::huber_loss(out, probs, {.reduction = Reduction::Mean, .delta = 2.0}) +
             F::binary_cross_entropy(out.sigmoid(), probs, {.weight = class_w, .reduction = Reduction::Mean}) +
             F::binary_cross_entropy(out.sigmoid(), probs, class_w) + F::binary_cross_entropy_with_logits(out, probs, class_w) +
             F::binary_cross_entropy_with_logits(out, probs, {.weight = class_w, .reduction = Reduction::Mean, .pos_weight = class_w}) +
             F::kl_div(out.log_softmax(1), probs, {.reduction = Reduction::BatchMean, .log_target = false}) +
             F::cosine_embedding_loss(out, probs, sign, {.margin = 0.1, .reduction = Reduction::Mean}) +
             F::margin_ranking_loss(out, probs, out.detach(), {.margin = 0.1, .reduction = Reduction::Sum}) +
             F::triplet_margin_loss(out, probs, out.detach(),
                                    {.margin = 1.0, .p = 2.0, .eps = 1e-6, .swap = true, .reduction = Reduction::Mean});
      nn::CrossEntropyLoss ce(ce_options);
      nn::NLLLoss nll({.weight = class_w});
      nn::MSELoss mse;
      nn::L1Loss l1({.reduction = Reduction::None});
      nn::SmoothL1Loss smooth_l1({.beta = 0.5});
      nn::HuberLoss huber({.delta = 2.0});
      nn::BCELoss bce({.weight = class_w});
      nn::BCEWithLogitsLoss bce_logits({.weight = class_w, .pos_weight = class_w});
      nn::KLDivLoss kl({.reduction = Reduction::BatchMean, .log_target = true});
      nn::CosineEmbeddingLoss cosine({.margin = 0.1});
      nn::MarginRankingLoss ranking({.margin = 0.1});
      nn::TripletMarginLoss triplet({.swap = true});
      loss = loss + ce(out, targets) + ce(out, probs) + nll(out.log(), targets) + mse(out, probs) +
             l1(out, probs).sum() + smooth_l1(out, probs) + huber(out, probs) + bce(out.sigmoid(), probs) +
             bce_logits(out, probs) + kl(out.log_softmax(1), probs.log()) + cosine(out, probs, sign) +
             ranking(out, probs, out.detach()) + triplet(out, probs, out.detach());
      std::cout << ce.options().label_smoothing << bce_logits.state_dict().size() << "\n";
    }
    ts::optim::SGD sgd(params, {.lr = 0.1, .momentum = 0.9, .dampening = 0, .weight_decay = 0, .nesterov = true});
    ts::optim::Adam adam(params, {.lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0});
    ts::optim::AdamW adamw(params, {.weight_decay = 1e-2});
    ts::optim::StepLR step_lr(adam, 10, 0.5);
    ts::optim::CosineAnnealingLR cosine(sgd, 50);
    ts::optim::SGDGroup head;
    head.params = params, head.lr = 0.01;
    ts::optim::SGD grouped(std::vector<ts::optim::SGDGroup>{head}, {.lr = 0.1, .maximize = false});
    grouped.param_groups()[0].options.lr = 0.02;
    grouped.add_param_group(ts::optim::SGDGroup{.params = {ts::zeros({1}).requires_grad_()}, .lr = 0.5});
    ts::optim::ParamState& sgd_state = grouped.state(params[0]);
    (void)sgd_state;
    std::map<std::string, ts::AnyTensor> optim_state = adam.state_dict();
    adam.load_state_dict(optim_state);
    ts::optim::Adam amsgrad(params, {.amsgrad = true, .maximize = true});
    ts::optim::RMSprop rmsprop(params, {.lr = 1e-2, .alpha = 0.99, .eps = 1e-8, .weight_decay = 0, .momentum = 0,
                                        .centered = true});
    ts::optim::Adagrad adagrad(params, {.lr_decay = 0, .initial_accumulator_value = 0.1});
    ts::optim::Adadelta adadelta(params, {.rho = 0.9});
    ts::optim::Adamax adamax(params, {.lr = 2e-3});
    ts::optim::NAdam nadam(params, {.momentum_decay = 4e-3});
    ts::optim::RAdam radam(params, {.lr = 1e-3});
    ts::optim::SGD sgd64({ts::zeros<double>({3}).requires_grad_()}, {.lr = 0.1});
    std::vector<ts::AnyTensor> all_params = sgd64.parameters();
    (void)all_params;
    ts::optim::Optimizer& any_optimizer = radam;
    (void)any_optimizer.option(0, "beta1");
    ts::optim::LambdaLR lambda_lr(rmsprop, [](int64_t epoch) { return 1.0 / static_cast<double>(epoch + 1); });
    ts::optim::MultiplicativeLR mult_lr(adagrad, [](int64_t) { return 0.9; });
    ts::optim::MultiStepLR multistep(adadelta, {3, 6}, 0.1);
    ts::optim::ExponentialLR exponential(adamax, 0.9);
    ts::optim::LinearLR warmup(nadam, 0.1, 1.0, 5);
    ts::optim::ConstantLR constant(nadam, 0.5, 5);
    ts::optim::SequentialLR sequential(nadam, {&warmup, &constant}, {5});
    ts::optim::PolynomialLR polynomial(adagrad, 10, 2.0);
    ts::optim::ExponentialLR decay(adagrad, 0.99);
    ts::optim::ChainedScheduler chained({&polynomial, &decay});
    chained.step();
    ts::optim::CosineAnnealingWarmRestarts restarts(radam, 10, 2, 1e-5);
    ts::optim::OneCycleLR one_cycle(amsgrad, 0.1, {.total_steps = 100, .anneal_strategy = "linear"});
    ts::optim::CyclicLR cyclic(grouped, 0.01, 0.1, {.step_size_up = 10, .mode = "triangular2"});
    ts::optim::ReduceLROnPlateau plateau(adamw, {.mode = "min", .factor = 0.5, .patience = 3});
    plateau.step(1.0);
    std::vector<double> last_lrs = sequential.get_last_lr();
    std::map<std::string, ts::AnyTensor> sched_state = restarts.state_dict();
    restarts.load_state_dict(sched_state);
    (void)last_lrs, (void)one_cycle, (void)cyclic, (void)lambda_lr, (void)mult_lr, (void)multistep,
        (void)exponential;
    adam.zero_grad();
    loss.backward();
    const ts::Tensor<float> total = nn::utils::clip_grad_norm_(params, 1.0, 2.0, false);
    nn::utils::clip_grad_value_(params, 0.5);
    nn::utils::vector_to_parameters(nn::utils::parameters_to_vector(params), params);
    std::cout << total << "\n";
    adam.step();
    sgd.step();
    adamw.step();
    step_lr.step();
    cosine.step();
    ts::data::TensorDataset dataset(ts::randn({10, 3}), ts::arange(10));
    ts::data::DataLoader loader(dataset, {.batch_size = 4, .shuffle = true, .drop_last = false});
    for (auto [bx, by] : loader) std::cout << bx.sizes() << by.sizes() << "\n";
    try {
      ts::data::read_idx("/nonexistent.idx");
    } catch (const ts::Error& e) {
      std::cout << e.what() << "\n";
    }
  }

  {
    const ts::Tensor<float> sp = ts::arange<float>(0, 24).reshape({2, 3, 4});
    std::cout << ts::tensor_split(sp, 2, 2).size() << ts::tensor_split(sp, {1, 2}, 1).size()
              << ts::tensor_split(sp, std::vector<int64_t>{1}).size() << ts::tensor_split(sp, ts::tensor<int64_t>(2)).size()
              << sp.tensor_split(3, 1).size() << sp.tensor_split({1}).size() << sp.tensor_split(ts::tensor<int64_t>({1})).size()
              << ts::hsplit(sp, 3).size() << ts::hsplit(sp, {1}).size() << sp.hsplit(3).size() << sp.hsplit({1, 2}).size()
              << ts::vsplit(sp, 2).size() << ts::vsplit(sp, {1}).size() << sp.vsplit(1).size() << sp.vsplit({1}).size()
              << ts::dsplit(sp, 2).size() << ts::dsplit(sp, {1}).size() << sp.dsplit(4).size() << sp.dsplit({3}).size()
              << ts::unsafe_chunk(sp, 2).size() << sp.unsafe_chunk(2, 1).size() << ts::unsafe_split(sp, 2, 2).size()
              << sp.unsafe_split(1).size() << ts::unsafe_split_with_sizes(sp, {1, 2}, 1).size()
              << sp.unsafe_split_with_sizes({1, 1}).size() << "\n";
    const ts::Tensor<float> m2 = ts::zeros<float>({3, 3});
    std::cout << ts::select_scatter(m2, ts::ones<float>({3}), 0, 1) << m2.select_scatter(ts::ones<double>({3}), 1, -1)
              << ts::slice_scatter(m2, ts::ones<float>({1, 3}), 0, 2) << m2.slice_scatter(ts::ones<float>({3, 2}), 1, std::nullopt, std::nullopt, 2)
              << ts::diagonal_scatter(m2, ts::ones<float>({3})) << m2.diagonal_scatter(ts::ones<float>({2}), 1, 0, 1)
              << ts::as_strided_scatter(m2, ts::ones<float>({3}), {3}, {4}) << m2.as_strided_scatter(ts::ones<float>({2}), {2}, {1}, 7)
              << "\n";
    const ts::Tensor<int64_t> rows = ts::tensor<int64_t>({0, 2});
    const ts::Tensor<int64_t> where = ts::tensor<int64_t>({{0, 1, 2}, {2, 1, 0}});
    std::cout << ts::scatter_add(m2, 0, where, ts::ones<float>({2, 3})) << m2.scatter_add(1, where, ts::ones<float>({2, 3}))
              << ts::index_put(m2, {rows}, ts::ones<float>({3}), true) << m2.index_put({rows, rows}, ts::ones<float>({2}))
              << ts::index_reduce(m2, 0, rows, ts::ones<float>({2, 3}), "amax")
              << m2.index_reduce(1, rows, ts::ones<float>({3, 2}), "mean", false) << "\n";
    m2.clone().scatter_add_(0, where, ts::ones<float>({2, 3})).index_reduce_(0, rows, ts::ones<float>({2, 3}), "prod");
    m2.clone().index_put_({rows}, ts::ones<float>({3}), true);
    const ts::Tensor<float> r = ts::zeros<float>({2, 1, 3});
    r.squeeze_(1).unsqueeze_(0).squeeze_().t_().transpose_(0, 1).swapaxes_(0, 1).swapdims_(1, 0).as_strided_({2, 2}, {2, 1});
    r.detach_().fill_diagonal_(1).as_strided_({3, 2}, {2, 1}, 0).fill_diagonal_(2.5, true);
    std::cout << r << "\n";
    std::cout << ts::block_diag({m2, m2[0], m2[0][0]}) << ts::block_diag(std::vector<ts::Tensor<float>>{m2})
              << ts::cartesian_prod({m2[0], m2[1]}) << ts::cartesian_prod(std::vector<ts::Tensor<float>>{m2[0]})
              << ts::combinations(m2[0]) << ts::combinations(m2[0], 3, true) << "\n";
    const ts::Tensor<float> img = ts::zeros<float>({1, 4, 2, 2});
    std::cout << ts::pixel_shuffle(img, 2) << ts::pixel_unshuffle(img, 2) << ts::channel_shuffle(img, 2)
              << ts::nn::functional::pixel_shuffle(img, 2) << ts::nn::functional::pixel_unshuffle(img, 1)
              << ts::nn::functional::channel_shuffle(img, 4) << ts::nn::PixelShuffle(2)(img) << ts::nn::PixelUnshuffle(2).forward(img)
              << ts::nn::ChannelShuffle(2)(img) << "\n";
  }

  // 10. Threads and memory.
  ts::set_num_threads(2);
  std::cout << ts::get_num_threads() << "\n";
  ts::empty_cache();
  try {
    x.view({5});
  } catch (const ts::Error& e) {
    std::cout << e.what() << "\n";
  }
  return 0;
}
