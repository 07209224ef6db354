// nn/ctc_loss.hpp against PyTorch 1.13: F.ctc_loss and nn.CTCLoss (losses, gradients and error
// messages from tests/golden/ctc_loss.txt, written by tests/golden/generate_ctc_loss.py), the
// recorded nodes, gradcheck, and what tessera refuses where PyTorch reads outside its buffers.

#include <cmath>
#include <string>
#include <vector>

#include "call_cases.hpp"
#include "error_of.hpp"
#include "golden.hpp"

namespace test_nn_ctc_loss {

namespace {

namespace F = ts::nn::functional;
namespace nn = ts::nn;
using ts::Tensor;

ts::nn::Reduction reduction_of(const std::string& name) {
  if (name == "none") return ts::nn::Reduction::None;
  if (name == "sum") return ts::nn::Reduction::Sum;
  return ts::nn::Reduction::Mean;
}

/** Close to PyTorch's value: the same infinities and NaNs, finite values within rtol. */
bool close_to(double have, double want, double rtol) {
  if (std::isnan(want) || std::isinf(want)) return std::isnan(want) ? std::isnan(have) : have == want;
  return std::abs(have - want) <= rtol * (1.0 + std::abs(want));
}

/** Runs a record: the loss and the gradient of sum(loss * gout), or the error's message. The
 *  lengths go in as tensors of the targets' type (`as_tensors`) or as vectors. */
template <class T, class I>
void run_case(const golden::Record& r, double rtol, bool as_tensors) {
  const ts::Shape lp_shape(golden::ints(r.get("log_probs_shape")));
  const Tensor<T> lp = ts::from_vector(golden::values<T>(r.get("log_probs")), lp_shape).requires_grad_();
  const Tensor<I> targets = ts::from_vector(golden::values<I>(r.get("targets")), ts::Shape(golden::ints(r.get("targets_shape"))));
  const std::vector<int64_t> il = golden::ints(r.get("input_lengths")), tl = golden::ints(r.get("target_lengths"));
  const nn::CTCLossOptions options{.blank = std::stoll(r.get("blank")), .reduction = reduction_of(r.get("reduction")),
                                   .zero_infinity = r.get("zero_infinity") == "1"};
  const auto call = [&] {
    if (!as_tensors) return F::ctc_loss(lp, targets, il, tl, options);
    const auto lengths = [](const std::vector<int64_t>& v) {
      return ts::from_vector(v, {static_cast<int64_t>(v.size())}).template to<I>();
    };
    return F::ctc_loss(lp, targets, lengths(il), lengths(tl), options);
  };
  if (r.has("error")) {
    const std::string torch = r.get("error");
    CHECK(call_cases::same_message(error_of(call), torch.rfind("\"ctc", 0) == 0 ? "" : "ctc_loss", torch));
    return;
  }
  const Tensor<T> loss = call();
  CHECK(loss.sizes() == ts::Shape(golden::ints(r.get("loss_shape"))));
  const auto want = golden::values<double>(r.get("loss")), have = loss.template to<double>().to_vector();
  REQUIRE(have.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) CHECK(close_to(have[i], want[i], rtol));
  const Tensor<T> gout = ts::from_vector(golden::values<T>(r.get("gout")), loss.sizes());
  (loss * gout).sum().backward();
  const auto want_grad = golden::values<double>(r.get("grad")), have_grad = lp.grad().template to<double>().to_vector();
  REQUIRE(have_grad.size() == want_grad.size());
  for (size_t i = 0; i < want_grad.size(); ++i) {
    INFO("gradient " << i << ": " << have_grad[i] << " against " << want_grad[i]);
    CHECK(close_to(have_grad[i], want_grad[i], rtol));
  }
}

/** Log-probabilities [steps, batch, classes] from tessera's generator. */
Tensor<float> log_probs(int64_t steps, int64_t batch, int64_t classes, uint64_t seed) {
  ts::Generator gen(seed);
  return ts::randn({steps, batch, classes}, gen).log_softmax(2);
}
const Tensor<int64_t> padded = ts::tensor<int64_t>({{1, 2, 2, 3}, {3, 1, 0, 0}, {4, 4, 4, 4}, {2, 1, 3, 4}});

}  // namespace

TEST_CASE("ctc_loss: losses, gradients and messages as PyTorch's") {
  int cases = 0;
  for (const auto& r : golden::load("ctc_loss.txt")) {
    INFO(r.name);
    for (const bool as_tensors : {false, true}) {
      if (r.name == "int32") run_case<float, int32_t>(r, 1e-5, as_tensors);
      else if (r.get("dtype") == "float64") run_case<double, int64_t>(r, 1e-12, as_tensors);
      else if (r.get("dtype") == "float16") run_case<ts::half, int64_t>(r, 1e-3, as_tensors);
      else run_case<float, int64_t>(r, 1e-5, as_tensors);
    }
    ++cases;
  }
  CHECK(cases == 36);
}

TEST_CASE("ctc_loss: the nodes PyTorch records") {
  const Tensor<float> lp = log_probs(7, 4, 5, 1).requires_grad_();
  const std::vector<int64_t> il{7, 6, 6, 7}, tl{4, 2, 4, 3};
  const auto name = [&](const nn::CTCLossOptions& o) { return F::ctc_loss(lp, padded, il, tl, o).grad_fn_name(); };
  CHECK(name({.reduction = nn::Reduction::None}) == "CtcLossBackward0");
  CHECK(name({.reduction = nn::Reduction::Sum}) == "SumBackward0");
  CHECK(name({}) == "MeanBackward0");
  CHECK(name({.reduction = nn::Reduction::None, .zero_infinity = true}) == "WhereBackward0");
  const Tensor<float> one = lp.select(1, 0);
  CHECK(F::ctc_loss(one, padded[0], {7}, {4}, {.reduction = nn::Reduction::None}).grad_fn_name() == "SqueezeBackward1");
  const Tensor<float> mean = F::ctc_loss(lp, padded, il, tl);
  CHECK(std::string(ts::detail::grad_fn_of(mean.impl_ptr())->next_edges[0].fn->name()) == "DivBackward0");
  // PyTorch's _ctc_loss_backward has no derivative
  const Tensor<float> loss = F::ctc_loss(lp, padded, il, tl, {.reduction = nn::Reduction::None, .zero_infinity = true});
  const Tensor<float> g = ts::autograd::grad({loss.sum()}, {lp}, {}, std::nullopt, true)[0].as<float>();
  CHECK(error_of([&] { g.sum().backward(); }) == "derivative for aten::_ctc_loss_backward is not implemented");
  // the module is the function
  const Tensor<int64_t> lengths = ts::tensor<int64_t>({7, 6, 6, 7}), target_lengths = ts::tensor<int64_t>({4, 2, 4, 3});
  CHECK(ts::equal(nn::CTCLoss({.blank = 0, .zero_infinity = true})(lp, padded, lengths, target_lengths),
                  F::ctc_loss(lp, padded, il, tl, {.zero_infinity = true})));
}

TEST_CASE("ctc_loss: gradcheck through log_softmax") {
  ts::Generator gen(3);
  const Tensor<double> x = ts::randn({6, 3, 4}, gen).to<double>().requires_grad_();
  const Tensor<int64_t> targets = ts::tensor<int64_t>({1, 3, 3, 2, 1, 1});
  const auto loss = [&](const Tensor<double>& in, nn::Reduction reduction) {
    // the third sample's 2 repeated labels cannot fit in 2 frames: 0 with zero_infinity
    return F::ctc_loss(in.log_softmax(2), targets, {6, 5, 2}, {3, 1, 2},
                       {.blank = 0, .reduction = reduction, .zero_infinity = true});
  };
  for (const auto reduction : {nn::Reduction::None, nn::Reduction::Mean, nn::Reduction::Sum})
    CHECK(ts::autograd::gradcheck([&](const std::vector<Tensor<double>>& in) { return loss(in[0], reduction); }, {x}));
  const Tensor<double> each = loss(x, nn::Reduction::None);
  CHECK(each[2].item() == 0.0);
  CHECK(std::isinf(F::ctc_loss(x.log_softmax(2), targets, {6, 5, 2}, {3, 1, 2}, {.reduction = nn::Reduction::None})[2].item()));
  each[2].backward();
  CHECK(ts::equal(x.grad(), ts::zeros_like(x)));
}

TEST_CASE("ctc_loss: what PyTorch 1.13 reads outside its buffers is defined or refused") {
  const Tensor<float> lp = log_probs(6, 3, 5, 2).requires_grad_();
  const Tensor<int64_t> targets = ts::tensor<int64_t>({{1, 2, 2}, {3, 1, 0}, {4, 4, 4}});
  // no frames: loss 0 for an empty target, inf for any other, no gradient
  const Tensor<float> loss = F::ctc_loss(lp, targets, {6, 0, 0}, {3, 2, 0}, {.reduction = nn::Reduction::None});
  CHECK(std::isinf(loss[1].item()));
  CHECK(loss[2].item() == 0.0f);
  loss[2].backward();
  CHECK(ts::equal(lp.grad(), ts::zeros_like(lp)));
  CHECK(error_of([&] { (void)F::ctc_loss(lp, targets, {6, -1, 4}, {3, 2, 3}); }) ==
        "ctc_loss: Expected input_lengths to have value at least 0, but got value -1 (while checking arguments for "
        "ctc_loss_cpu)");
  CHECK(error_of([&] { (void)F::ctc_loss(lp, targets, {6, 5, 4}, {3, -2, 3}); }) ==
        "ctc_loss: Expected target_lengths to have value at least 0, but got value -2 (while checking arguments for "
        "ctc_loss_cpu)");
  CHECK(error_of([&] { (void)F::ctc_loss(lp, ts::tensor<int64_t>({{1, 9, 2}, {3, 1, 0}, {4, 4, 4}}), {6, 5, 4}, {3, 2, 3}); }) ==
        "ctc_loss: targets must be labels in [0, 5), but got 9");
  // frames past a sample's input length and labels past its target length are not read
  const Tensor<float> noisy = lp.detach().clone();
  noisy.narrow(0, 4, 2).select(1, 2).fill_(NAN);
  const Tensor<float> clean_loss = F::ctc_loss(lp.detach(), targets, {6, 5, 4}, {3, 2, 3}, {.reduction = nn::Reduction::None});
  CHECK(ts::equal(F::ctc_loss(noisy, targets, {6, 5, 4}, {3, 2, 3}, {.reduction = nn::Reduction::None}), clean_loss));
  const auto grad_of = [&](const Tensor<float>& in) {
    const Tensor<float> leaf = in.detach().requires_grad_();
    F::ctc_loss(leaf, targets, {6, 5, 4}, {3, 2, 2}).backward();  // every loss finite
    return leaf.grad();
  };
  CHECK(ts::equal(grad_of(noisy), grad_of(lp)));
  CHECK(ts::equal(F::ctc_loss(lp, ts::tensor<int64_t>({{1, 2, 2}, {3, -7, 99}, {4, 4, 4}}), {6, 5, 4}, {3, 1, 3}),
                  F::ctc_loss(lp, targets, {6, 5, 4}, {3, 1, 3})));
  CHECK(error_of([&] { (void)F::ctc_loss(lp, targets, ts::tensor<float>({6, 5, 4}), ts::tensor<int64_t>({3, 2, 3})); }) ==
        "ctc_loss: input_lengths must be integral");
  CHECK(error_of([&] { (void)F::ctc_loss(lp, targets, {6, 5, 4}, {3, 2, 3}, {.reduction = nn::Reduction::BatchMean}); }) ==
        "ctc_loss: batchmean is not a valid value for reduction");
}

}  // namespace test_nn_ctc_loss
