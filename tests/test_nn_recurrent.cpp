// nn/recurrent.hpp against PyTorch (tests/golden/recurrent.txt from
// tests/golden/generate_recurrent.py): with the mt19937 generator RNN, LSTM, GRU and their cells
// start from PyTorch's weights bit for bit; outputs, states and input gradients agree within float
// tolerance. Also gradcheck of each step and the errors.

#include <cmath>

#include "error_of.hpp"
#include "golden.hpp"

namespace test_nn_recurrent {

namespace nn = ts::nn;

namespace {

void check_close(const ts::Tensor<float>& t, const std::string& line, const std::string& what) {
  const std::vector<float> got = t.contiguous().to_vector(), want = golden::values<float>(line);
  REQUIRE(got.size() == want.size());
  int bad = 0;
  for (size_t i = 0; i < got.size(); ++i)
    if (!(std::abs(got[i] - want[i]) <= 1e-5f + 1e-5f * std::abs(want[i])) && bad++ < 5) {
      INFO(what << " element " << i);
      CHECK(got[i] == Approx(want[i]));
    }
  INFO(what);
  CHECK(bad == 0);
}

ts::Tensor<float> weighted(const ts::Tensor<float>& t) {
  std::vector<float> w;
  for (int64_t i = 0; i < t.numel(); ++i) w.push_back(1 + static_cast<float>(i % 5) / 4);
  return (t * ts::from_vector(w, t.sizes())).sum();
}

struct Result {
  std::vector<std::pair<std::string, ts::Tensor<float>>> params;
  ts::Tensor<float> x, out, h, c;
};

Result run(const std::string& name) {
  Result r;
  if (name == "lstm_two_layers_bidirectional") {
    nn::LSTM m(4, 3, {.num_layers = 2, .bidirectional = true});
    r.x = ts::randn({5, 2, 4}).requires_grad_();
    const ts::Tensor<float> h0 = ts::randn({4, 2, 3}), c0 = ts::randn({4, 2, 3});
    auto [out, state] = m(r.x, {h0, c0});
    std::tie(r.out, r.h, r.c) = std::tie(out, state.first, state.second);
    r.params = m.named_parameters();
  } else if (name == "gru_batch_first") {
    nn::GRU m(4, 5, {.batch_first = true});
    r.x = ts::randn({2, 6, 4}).requires_grad_();
    std::tie(r.out, r.h) = m(r.x);
    r.params = m.named_parameters();
  } else if (name == "rnn_relu_unbatched") {
    nn::RNN m(3, 4, {.num_layers = 2, .nonlinearity = "relu"});
    r.x = ts::randn({5, 3}).requires_grad_();
    std::tie(r.out, r.h) = m(r.x);
    r.params = m.named_parameters();
  } else if (name == "lstm_no_bias") {
    nn::LSTM m(3, 2, {.bias = false});
    r.x = ts::randn({4, 1, 3}).requires_grad_();
    auto [out, state] = m(r.x);
    std::tie(r.out, r.h, r.c) = std::tie(out, state.first, state.second);
    r.params = m.named_parameters();
  } else if (name == "gru_bidirectional_h0") {
    nn::GRU m(2, 3, {.bidirectional = true});
    r.x = ts::randn({3, 2, 2}).requires_grad_();
    std::tie(r.out, r.h) = m(r.x, ts::randn({2, 2, 3}));
    r.params = m.named_parameters();
  } else if (name == "lstm_cell") {
    nn::LSTMCell m(4, 3);
    r.x = ts::randn({2, 4}).requires_grad_();
    const ts::Tensor<float> h0 = ts::randn({2, 3}), c0 = ts::randn({2, 3});
    std::tie(r.h, r.c) = m(r.x, {h0, c0});
    r.params = m.named_parameters();
  } else if (name == "gru_cell") {
    nn::GRUCell m(4, 3);
    r.x = ts::randn({2, 4}).requires_grad_();
    r.h = m(r.x);
    r.params = m.named_parameters();
  } else if (name == "rnn_cell_unbatched") {
    nn::RNNCell m(4, 3);
    r.x = ts::randn({4}).requires_grad_();
    r.h = m(r.x, ts::randn({3}));
    r.params = m.named_parameters();
  } else {
    FAIL("unknown case " << name);
  }
  return r;
}

}  // namespace

TEST_CASE("RNN, LSTM, GRU and cells: PyTorch's weights, outputs, states and gradients", "[nn][recurrent][golden]") {
  golden::DefaultMt19937 mt;
  int cases = 0;
  for (const auto& g : golden::load("recurrent.txt")) {
    INFO(g.name);
    ts::manual_seed(std::stoull(g.get("seed")));
    const Result r = run(g.name);
    const std::vector<std::string> params = g.all("param");
    REQUIRE(params.size() == r.params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      const auto space = params[i].find(' ');
      CHECK(params[i].substr(0, space) == r.params[i].first);
      CHECK(r.params[i].second.contiguous().to_vector() == golden::values<float>(params[i].substr(space + 1)));
    }
    ts::Tensor<float> loss = weighted(r.h);
    CHECK(g.has("out") == r.out.defined());
    CHECK(g.has("c") == r.c.defined());
    if (r.out.defined()) check_close(r.out, g.get("out"), "out"), loss = loss + weighted(r.out);
    check_close(r.h, g.get("h"), "h");
    if (r.c.defined()) check_close(r.c, g.get("c"), "c"), loss = loss + weighted(r.c);
    loss.backward();
    check_close(r.x.grad(), g.get("dx"), "dx");
    ++cases;
  }
  CHECK(cases == 8);
}

TEST_CASE("recurrent steps pass gradcheck", "[nn][recurrent][gradcheck]") {
  using ts::detail::recurrent_step;
  using K = ts::nn::RecurrentKind;
  const auto input = [](ts::Shape shape, double scale) { return (ts::randn(shape).to<double>() * scale).requires_grad_(); };
  for (K kind : {K::RnnTanh, K::Lstm, K::Gru}) {
    const int64_t gates = kind == K::Lstm ? 4 : kind == K::Gru ? 3 : 1;
    const std::vector<ts::Tensor<double>> in = {input({2, gates * 3}, 1.0), input({2, 3}, 1.0), input({2, 3}, 1.0),
                                                input({gates * 3, 3}, 0.5), input({gates * 3}, 0.5)};
    INFO(static_cast<int>(kind));
    CHECK(ts::autograd::gradcheck(
        [kind](const std::vector<ts::Tensor<double>>& t) {
          auto [h, c] = recurrent_step(kind, t[0], t[1], kind == K::Lstm ? t[2] : ts::Tensor<double>(), t[3], t[4]);
          return c.defined() ? h + c * 2.0 : h + t[2] * 0.0;
        },
        in));
  }
}

TEST_CASE("recurrent layers refuse bad shapes and options", "[nn][recurrent]") {
  nn::LSTM lstm(4, 3, {.num_layers = 2});
  CHECK(error_of([&] { lstm(ts::randn({5, 2, 3})); }) == "LSTM: input.size(-1) must be equal to input_size. Expected 4, got 3");
  CHECK(error_of([&] { lstm(ts::randn({5})); }) == "LSTM: Expected input to be 2D or 3D, got 1D instead");
  CHECK(error_of([&] { lstm(ts::randn({5, 2, 4}), {ts::zeros<float>({1, 2, 3}), ts::zeros<float>({2, 2, 3})}); }) ==
        "LSTM: Expected hidden[0] size [2, 2, 3], got [1, 2, 3]");
  CHECK(error_of([] { nn::GRU(4, 3, {.nonlinearity = "relu"}); }) ==
        "GRU: Unknown nonlinearity 'relu'. Select from 'tanh' or 'relu' (RNN only).");
  CHECK(error_of([] { nn::RNN(4, 3, {.dropout = 1.5}); }) ==
        "RNN: dropout should be a number in range [0, 1] representing the probability of an element being zeroed");
  nn::GRUCell cell(4, 3);
  CHECK(error_of([&] { cell(ts::randn({2, 5})); }) == "GRUCell: Expected input of shape [N, 4] or [4], got [2, 5]");
  CHECK(error_of([&] { cell(ts::randn({2, 4}), ts::randn({3, 3})); }) == "GRUCell: Expected hidden size [2, 3], got [3, 3]");
}

TEST_CASE("an LSTM learns to add a running sum: the loss falls", "[nn][recurrent]") {
  ts::manual_seed(0);
  nn::LSTM lstm(1, 8, {.batch_first = true, .dropout = 0.0});
  nn::Linear head(8, 1);
  std::vector<ts::Tensor<float>> params = lstm.parameters();
  for (const auto& p : head.parameters()) params.push_back(p);
  ts::optim::Adam opt(params, {.lr = 0.02});
  const ts::Tensor<float> x = ts::rand({16, 6, 1}), target = x.cumsum(1);
  float first = 0, last = 0;
  for (int step = 0; step < 60; ++step) {
    opt.zero_grad();
    const ts::Tensor<float> loss = (head(lstm(x).first) - target).pow(2.0f).mean();
    loss.backward();
    opt.step();
    (step == 0 ? first : last) = loss.item();
  }
  CHECK(last < 0.2f * first);
}

}  // namespace test_nn_recurrent
