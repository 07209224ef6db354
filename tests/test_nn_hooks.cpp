// nn/hooks.hpp: forward pre-hooks and forward hooks of modules against PyTorch 1.13
// (tests/golden/hooks.txt from tests/golden/generate_hooks.py: the order hooks run in, the
// inputs and outputs they replace, removal), and what the hooks of other layers see.

#include <cmath>
#include <string>
#include <vector>

#include "error_of.hpp"
#include "golden.hpp"

namespace test_nn_hooks {

namespace nn = ts::nn;
using ts::Tensor;

namespace {

void check_close(const Tensor<float>& got_t, const std::string& line, const char* what) {
  const std::vector<float> got = got_t.contiguous().to_vector(), want = golden::values<float>(line);
  INFO(what);
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK(std::abs(got[i] - want[i]) <= 1e-5f + 1e-5f * std::abs(want[i]));
}

}  // namespace

TEST_CASE("module hooks run, replace and are removed as PyTorch's", "[nn][hooks][golden]") {
  golden::DefaultMt19937 mt;
  ts::manual_seed(0);
  nn::Linear first(3, 4);
  nn::ReLU act;
  nn::Linear last(4, 2);
  nn::Sequential seq{first, act, last};
  const Tensor<float> x = ts::randn({5, 3}).requires_grad_();
  std::vector<std::string> calls;
  first.register_forward_pre_hook([&](const nn::Module&, const nn::HookTensors& input) {
    calls.push_back("pre_first");
    return nn::HookTensors{input.at(0).as<float>() + 1.0f};
  });
  auto act_handle = act.register_forward_hook([&](const nn::Module&, const nn::HookTensors&, const nn::HookTensors& out) {
    calls.push_back("post_act");
    return nn::HookTensors{out.at(0).as<float>() * 3.0f};
  });
  last.register_forward_hook([&](const nn::Module&, const nn::HookTensors&, const nn::HookTensors&) {
    calls.push_back("post_last");  // observes only: returns nothing
  });
  seq.register_forward_pre_hook([&](const nn::Module&, const nn::HookTensors&) { calls.push_back("pre_seq"); });
  seq.register_forward_hook(
      [&](const nn::Module&, const nn::HookTensors& input, const nn::HookTensors& out) -> std::optional<nn::HookTensors> {
        calls.push_back("post_seq");
        return nn::HookTensors{out.at(0).as<float>() - input.at(0).as<float>().sum()};
      });
  int cases = 0;
  for (const auto& g : golden::load("hooks.txt")) {
    INFO(g.name);
    calls.clear();
    if (g.name == "act_hook_removed") {
      act_handle.remove();
      act_handle.remove();  // a second remove does nothing
      x.set_grad(Tensor<float>());
    }
    const Tensor<float> out = seq(x);
    std::string names;
    for (const std::string& c : calls) names += (names.empty() ? "" : " ") + c;
    CHECK(names == g.get("calls"));
    check_close(out, g.get("out"), "out");
    std::vector<float> w;
    for (int64_t i = 0; i < out.numel(); ++i) w.push_back(1.0f + static_cast<float>(i % 3));
    (out * ts::from_vector(w, out.sizes())).sum().backward();
    check_close(x.grad(), g.get("dx"), "dx");
    ++cases;
  }
  CHECK(cases == 2);
}

TEST_CASE("module hooks see every tensor of a call, through every handle", "[nn][hooks]") {
  nn::LSTM lstm(3, 4);
  std::vector<size_t> seen;
  // A handle from named_modules() registers on the same module.
  const nn::Module handle = nn::Module(lstm).named_modules().at(0).second;
  auto h = handle.register_forward_hook([&](const nn::Module&, const nn::HookTensors& in, const nn::HookTensors& out) {
    seen = {in.size(), static_cast<size_t>(in.at(1).defined()), out.size()};
  });
  const Tensor<float> x = ts::randn({2, 1, 3});
  auto [y, state] = lstm(x);
  CHECK(seen == std::vector<size_t>{3, 0, 3});  // input, (h0, c0) omitted; output, (h_n, c_n)
  h.remove();
  // A hook may replace one tensor of a pair.
  lstm.register_forward_hook([](const nn::Module&, const nn::HookTensors&, const nn::HookTensors& out) {
    return nn::HookTensors{out[0], ts::zeros<float>(out[1].sizes()), out[2]};
  });
  auto [y2, state2] = lstm(x);
  CHECK(y2.to_vector() == y.to_vector());
  CHECK(state2.first.abs().sum().item() == 0.0f);
  CHECK(state2.second.to_vector() == state.second.to_vector());

  nn::MultiheadAttention mha(4, 2);
  size_t outputs = 0;
  mha.register_forward_hook([&](const nn::Module&, const nn::HookTensors&, const nn::HookTensors& out) { outputs = out.size(); });
  const Tensor<float> q = ts::randn({3, 1, 4});
  mha(q, q, q);
  CHECK(outputs == 2);  // the output and the attention weights
}

TEST_CASE("module hooks that return the wrong tensors get a clear error", "[nn][hooks]") {
  nn::Linear fc(3, 2);
  auto h = fc.register_forward_pre_hook([](const nn::Module&, const nn::HookTensors&) { return nn::HookTensors{}; });
  const Tensor<float> x = ts::randn({2, 3});
  CHECK(error_of([&] { fc(x); }) == "forward pre-hook: returned 0 tensors where the call has 1");
  h.remove();
  auto k = fc.register_forward_hook([](const nn::Module&, const nn::HookTensors&, const nn::HookTensors& out) {
    return nn::HookTensors{out[0].to<double>()};
  });
  CHECK(error_of([&] { fc(x); }).find("torch.float64") != std::string::npos);
  k.remove();
  CHECK(fc(x).sizes() == ts::Shape{2, 2});  // no hooks left
}

}  // namespace test_nn_hooks
