#pragma once
// Recurrent layers: RNN, LSTM and GRU (layers, directions, dropout between layers, initial
// states, batch_first) and their cells, with PyTorch's gate order, parameter names and
// initialisation, built from matmul and elementwise ops (so autograd and every device get them).

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../ops/join.hpp"
#include "functional.hpp"
#include "init.hpp"
#include "module.hpp"

namespace tessera::nn {

// Note [Recurrent gates]
// The gate rows of weight_ih and weight_hh are PyTorch's: LSTM (input, forget, cell, output),
// GRU (reset, update, new), each hidden_size rows. One step, with gi = x W_ih^T + b_ih (computed
// for every step at once) and gh = h W_hh^T + b_hh:
//   RNN   h' = tanh(gi + gh) (or relu)
//   LSTM  c' = sigmoid(f) * c + sigmoid(i) * tanh(g),  h' = sigmoid(o) * tanh(c')
//   GRU   r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r * gh_n),
//         h' = n + z * (h - n)
// Every weight and bias starts U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), drawn in
// parameter order, as PyTorch's reset_parameters.

enum class RecurrentKind { RnnTanh, RnnRelu, Lstm, Gru };

}  // namespace tessera::nn

namespace tessera::detail {
using nn::RecurrentKind;

inline int64_t gate_count(RecurrentKind kind) {
  return kind == RecurrentKind::Lstm ? 4 : kind == RecurrentKind::Gru ? 3 : 1;
}

/** One time step: the new hidden state (and cell state for LSTM, else undefined). */
template <class T>
std::pair<Tensor<T>, Tensor<T>> recurrent_step(RecurrentKind kind, const Tensor<T>& gi, const Tensor<T>& h,
                                               const Tensor<T>& c, const Tensor<T>& w_hh, const Tensor<T>& b_hh) {
  const Tensor<T> gh = nn::functional::linear(h, w_hh, b_hh);
  const int64_t H = h.size(-1);
  // The gates as one split (its backward is one cat), not as narrows (each of which would
  // scatter its gradient into zeros the size of all gates).
  switch (kind) {
    case RecurrentKind::RnnTanh: return {(gi + gh).tanh(), {}};
    case RecurrentKind::RnnRelu: return {(gi + gh).relu(), {}};
    case RecurrentKind::Lstm: {
      const std::vector<Tensor<T>> g = split(gi + gh, H, -1);
      const Tensor<T> c_next = g[1].sigmoid() * c + g[0].sigmoid() * g[2].tanh();
      return {g[3].sigmoid() * c_next.tanh(), c_next};
    }
    case RecurrentKind::Gru: {
      const std::vector<Tensor<T>> i = split(gi, H, -1), k = split(gh, H, -1);
      const Tensor<T> r = (i[0] + k[0]).sigmoid(), z = (i[1] + k[1]).sigmoid();
      const Tensor<T> n = (i[2] + r * k[2]).tanh();
      return {n + z * (h - n), {}};
    }
  }
  return {};
}

inline const char* recurrent_name(RecurrentKind kind) {
  return kind == RecurrentKind::Lstm ? "LSTM" : kind == RecurrentKind::Gru ? "GRU" : "RNN";
}

}  // namespace tessera::detail

namespace tessera::nn {

struct RNNOptions {
  int64_t num_layers = 1;
  std::string nonlinearity = "tanh";  // or "relu"; RNN only
  bool bias = true;
  bool batch_first = false;  // input and output [N, L, H] rather than [L, N, H]
  double dropout = 0;        // on the outputs of every layer but the last, while training
  bool bidirectional = false;
};

namespace impl {

/** RNN, LSTM and GRU: parameters weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}
 *  (and `_reverse` for the second direction), as PyTorch names them. */
template <RecurrentKind Kind>
class Recurrent : public nn::Module {
 public:
  Recurrent(int64_t input_size, int64_t hidden_size, RNNOptions options = {})
      : Recurrent(input_size, hidden_size, options, default_generator()) {}
  Recurrent(int64_t input_size, int64_t hidden_size, RNNOptions options, Generator& gen)
      : input_size_(input_size), hidden_size_(hidden_size), options_(std::move(options)), gen_(&gen) {
    const char* name = tessera::detail::recurrent_name(kind());
    TS_CHECK(input_size > 0 && hidden_size > 0 && options_.num_layers > 0, name,
             ": input_size, hidden_size and num_layers must be positive (got ", input_size, ", ", hidden_size, ", ",
             options_.num_layers, ")");
    TS_CHECK(options_.dropout >= 0 && options_.dropout <= 1, name, ": dropout should be a number in range [0, 1] "
             "representing the probability of an element being zeroed");
    TS_CHECK(options_.nonlinearity == "tanh" || (options_.nonlinearity == "relu" && Kind == RecurrentKind::RnnTanh),
             name, ": Unknown nonlinearity '", options_.nonlinearity, "'. Select from 'tanh' or 'relu' (RNN only).");
    const int64_t gates = tessera::detail::gate_count(kind()) * hidden_size, directions = options_.bidirectional ? 2 : 1;
    for (int64_t layer = 0; layer < options_.num_layers; ++layer)
      for (int64_t d = 0; d < directions; ++d) {
        const std::string suffix = "_l" + std::to_string(layer) + (d ? "_reverse" : "");
        const int64_t in = layer == 0 ? input_size : hidden_size * directions;
        Weights w;
        w.ih = register_parameter("weight_ih" + suffix, empty<float>({gates, in}));
        w.hh = register_parameter("weight_hh" + suffix, empty<float>({gates, hidden_size}));
        if (options_.bias) {
          w.b_ih = register_parameter("bias_ih" + suffix, empty<float>({gates}));
          w.b_hh = register_parameter("bias_hh" + suffix, empty<float>({gates}));
        }
        weights_.push_back(w);
      }
    const double bound = 1 / std::sqrt(static_cast<double>(hidden_size));
    for (const Tensor<float>& p : parameters()) init::uniform_(p, -bound, bound, gen);
  }

  /** The outputs of the last layer for every step ([L, N, D * hidden], or [N, L, D * hidden] with
   *  batch_first, or [L, D * hidden] unbatched) and the last hidden state of every layer and
   *  direction ([num_layers * D, N, hidden]); LSTM's state is (h, c). */
  template <class State>
  std::pair<Tensor<float>, State> run(const Tensor<float>& input, const State* initial) const {
    const char* name = tessera::detail::recurrent_name(kind());
    const bool batched = input.dim() == 3;
    TS_CHECK(input.dim() == 2 || batched, name, ": Expected input to be 2D or 3D, got ", input.dim(), "D instead");
    Tensor<float> x = !batched ? input.unsqueeze(1) : options_.batch_first ? input.transpose(0, 1) : input;
    TS_CHECK(x.size(2) == input_size_, name, ": input.size(-1) must be equal to input_size. Expected ", input_size_,
             ", got ", x.size(2));
    const int64_t L = x.size(0), N = x.size(1), H = hidden_size_, directions = options_.bidirectional ? 2 : 1;
    const Shape state_shape{options_.num_layers * directions, N, H};
    const auto initial_state = [&](const Tensor<float>& given, const char* what) {
      if (!given.defined()) return zeros<float>(state_shape, {.device = input.device()});
      const Tensor<float> s = batched ? given : given.unsqueeze(1);
      TS_CHECK(s.sizes() == state_shape, name, ": Expected ", what, " size ", tessera::detail::shape_str(state_shape),
               ", got ", tessera::detail::shape_str(s.sizes()));
      return s;
    };
    Tensor<float> h0, c0;
    if constexpr (std::is_same_v<State, Tensor<float>>) {
      h0 = initial_state(initial ? *initial : Tensor<float>(), "hidden");
    } else {
      h0 = initial_state(initial ? initial->first : Tensor<float>(), "hidden[0]");
      c0 = initial_state(initial ? initial->second : Tensor<float>(), "hidden[1]");
    }
    std::vector<Tensor<float>> h_n, c_n;
    for (int64_t layer = 0; layer < options_.num_layers; ++layer) {
      std::vector<Tensor<float>> outputs;
      for (int64_t d = 0; d < directions; ++d) {
        const Weights& w = weights_[static_cast<size_t>(layer * directions + d)];
        // Every step's input projection, split into steps at once (one node whose backward is one
        // cat: selecting step t would scatter its gradient into zeros of all L steps, L times).
        const std::vector<Tensor<float>> gi = split(functional::linear(x, w.ih, w.b_ih), 1, 0);
        Tensor<float> h = h0[layer * directions + d], c = c0.defined() ? c0[layer * directions + d] : Tensor<float>();
        std::vector<Tensor<float>> steps(static_cast<size_t>(L));
        for (int64_t s = 0; s < L; ++s) {
          const int64_t t = d == 0 ? s : L - 1 - s;
          std::tie(h, c) = tessera::detail::recurrent_step(kind(), gi[static_cast<size_t>(t)].squeeze(0), h, c, w.hh,
                                                           w.b_hh);
          steps[static_cast<size_t>(t)] = h;
        }
        outputs.push_back(L > 0 ? stack(steps) : zeros<float>({0, N, H}, {.device = input.device()}));
        h_n.push_back(h);
        if (c.defined()) c_n.push_back(c);
      }
      x = directions == 1 ? outputs[0] : cat(outputs, -1);
      if (options_.dropout > 0 && layer + 1 < options_.num_layers)
        x = functional::dropout(x, options_.dropout, is_training(), *gen_);
    }
    Tensor<float> out = !batched ? x.squeeze(1) : options_.batch_first ? x.transpose(0, 1) : x;
    const auto final_state = [&](const std::vector<Tensor<float>>& parts) {
      const Tensor<float> s = stack(parts);
      return batched ? s : s.squeeze(1);
    };
    if constexpr (std::is_same_v<State, Tensor<float>>) return {out, final_state(h_n)};
    else return {out, {final_state(h_n), final_state(c_n)}};
  }

  int64_t input_size() const { return input_size_; }
  int64_t hidden_size() const { return hidden_size_; }

 private:
  RecurrentKind kind() const {
    if constexpr (Kind == RecurrentKind::RnnTanh)
      return options_.nonlinearity == "relu" ? RecurrentKind::RnnRelu : RecurrentKind::RnnTanh;
    return Kind;
  }
  struct Weights {
    Tensor<float> ih, hh, b_ih, b_hh;
  };
  int64_t input_size_, hidden_size_;
  RNNOptions options_;
  Generator* gen_;
  std::vector<Weights> weights_;
};

/** torch.nn.RNN: forward(input, h0) returns (output, h_n). */
template <class = void>
class RNN : public Recurrent<RecurrentKind::RnnTanh> {
 public:
  using Recurrent<RecurrentKind::RnnTanh>::Recurrent;
  std::pair<Tensor<float>, Tensor<float>> forward(const Tensor<float>& input, const Tensor<float>& h0 = {}) const {
    return this->run(input, &h0);
  }
  std::pair<Tensor<float>, Tensor<float>> operator()(const Tensor<float>& input, const Tensor<float>& h0 = {}) const {
    return this->call_forward(*this, input, h0);
  }
};

/** torch.nn.GRU: forward(input, h0) returns (output, h_n). */
template <class = void>
class GRU : public Recurrent<RecurrentKind::Gru> {
 public:
  using Recurrent<RecurrentKind::Gru>::Recurrent;
  std::pair<Tensor<float>, Tensor<float>> forward(const Tensor<float>& input, const Tensor<float>& h0 = {}) const {
    return this->run(input, &h0);
  }
  std::pair<Tensor<float>, Tensor<float>> operator()(const Tensor<float>& input, const Tensor<float>& h0 = {}) const {
    return this->call_forward(*this, input, h0);
  }
};

/** torch.nn.LSTM (no proj_size): forward(input, {h0, c0}) returns (output, (h_n, c_n)). */
template <class = void>
class LSTM : public Recurrent<RecurrentKind::Lstm> {
 public:
  using State = std::pair<Tensor<float>, Tensor<float>>;
  using Recurrent<RecurrentKind::Lstm>::Recurrent;
  std::pair<Tensor<float>, State> forward(const Tensor<float>& input, const State& state = {}) const {
    return this->run(input, &state);
  }
  std::pair<Tensor<float>, State> operator()(const Tensor<float>& input, const State& state = {}) const {
    return this->call_forward(*this, input, state);
  }
};

/** RNNCell, LSTMCell and GRUCell: one step over a batch [N, input] (or one input [input]), with
 *  parameters weight_ih, weight_hh, bias_ih, bias_hh. */
template <RecurrentKind Kind>
class Cell : public nn::Module {
 public:
  Cell(int64_t input_size, int64_t hidden_size, bool bias = true, std::string nonlinearity = "tanh")
      : Cell(input_size, hidden_size, bias, std::move(nonlinearity), default_generator()) {}
  Cell(int64_t input_size, int64_t hidden_size, bool bias, std::string nonlinearity, Generator& gen)
      : input_size_(input_size), hidden_size_(hidden_size),
        kind_(Kind == RecurrentKind::RnnTanh && nonlinearity == "relu" ? RecurrentKind::RnnRelu : Kind) {
    const std::string name = std::string(tessera::detail::recurrent_name(Kind)) + "Cell";
    TS_CHECK(input_size > 0 && hidden_size > 0, name, ": input_size and hidden_size must be positive");
    TS_CHECK(nonlinearity == "tanh" || nonlinearity == "relu", name, ": Unknown nonlinearity: ", nonlinearity);
    const int64_t gates = tessera::detail::gate_count(Kind) * hidden_size;
    w_ih_ = register_parameter("weight_ih", empty<float>({gates, input_size}));
    w_hh_ = register_parameter("weight_hh", empty<float>({gates, hidden_size}));
    if (bias) {
      b_ih_ = register_parameter("bias_ih", empty<float>({gates}));
      b_hh_ = register_parameter("bias_hh", empty<float>({gates}));
    }
    const double bound = 1 / std::sqrt(static_cast<double>(hidden_size));
    for (const Tensor<float>& p : parameters()) init::uniform_(p, -bound, bound, gen);
  }

 protected:
  std::pair<Tensor<float>, Tensor<float>> step(const Tensor<float>& input, Tensor<float> h, Tensor<float> c) const {
    const std::string name = std::string(tessera::detail::recurrent_name(Kind)) + "Cell";
    TS_CHECK((input.dim() == 1 || input.dim() == 2) && input.size(-1) == input_size_, name, ": Expected input of shape [N, ",
             input_size_, "] or [", input_size_, "], got ", tessera::detail::shape_str(input.sizes()));
    const bool batched = input.dim() == 2;
    const Tensor<float> x = batched ? input : input.unsqueeze(0);
    const Shape state_shape{x.size(0), hidden_size_};
    const auto state = [&](const Tensor<float>& s) {
      if (!s.defined()) return zeros<float>(state_shape, {.device = input.device()});
      const Tensor<float> b = batched ? s : s.unsqueeze(0);
      TS_CHECK(b.sizes() == state_shape, name, ": Expected hidden size ", tessera::detail::shape_str(state_shape),
               ", got ", tessera::detail::shape_str(b.sizes()));
      return b;
    };
    h = state(h);
    if (Kind == RecurrentKind::Lstm) c = state(c);
    auto [h_next, c_next] = tessera::detail::recurrent_step(kind_, functional::linear(x, w_ih_, b_ih_), h, c, w_hh_, b_hh_);
    if (!batched) {
      h_next = h_next.squeeze(0);
      if (c_next.defined()) c_next = c_next.squeeze(0);
    }
    return {h_next, c_next};
  }

 private:
  int64_t input_size_, hidden_size_;
  RecurrentKind kind_;
  Tensor<float> w_ih_, w_hh_, b_ih_, b_hh_;
};

template <class = void>
class RNNCell : public Cell<RecurrentKind::RnnTanh> {
 public:
  using Cell<RecurrentKind::RnnTanh>::Cell;
  Tensor<float> forward(const Tensor<float>& input, const Tensor<float>& h = {}) const { return this->step(input, h, {}).first; }
  Tensor<float> operator()(const Tensor<float>& input, const Tensor<float>& h = {}) const { return this->call_forward(*this, input, h); }
};

template <class = void>
class GRUCell : public Cell<RecurrentKind::Gru> {
 public:
  GRUCell(int64_t input_size, int64_t hidden_size, bool bias = true)
      : Cell<RecurrentKind::Gru>(input_size, hidden_size, bias, "tanh") {}
  GRUCell(int64_t input_size, int64_t hidden_size, bool bias, Generator& gen)
      : Cell<RecurrentKind::Gru>(input_size, hidden_size, bias, "tanh", gen) {}
  Tensor<float> forward(const Tensor<float>& input, const Tensor<float>& h = {}) const { return this->step(input, h, {}).first; }
  Tensor<float> operator()(const Tensor<float>& input, const Tensor<float>& h = {}) const { return this->call_forward(*this, input, h); }
};

template <class = void>
class LSTMCell : public Cell<RecurrentKind::Lstm> {
 public:
  using State = std::pair<Tensor<float>, Tensor<float>>;
  LSTMCell(int64_t input_size, int64_t hidden_size, bool bias = true)
      : Cell<RecurrentKind::Lstm>(input_size, hidden_size, bias, "tanh") {}
  LSTMCell(int64_t input_size, int64_t hidden_size, bool bias, Generator& gen)
      : Cell<RecurrentKind::Lstm>(input_size, hidden_size, bias, "tanh", gen) {}
  State forward(const Tensor<float>& input, const State& state = {}) const {
    return this->step(input, state.first, state.second);
  }
  State operator()(const Tensor<float>& input, const State& state = {}) const { return this->call_forward(*this, input, state); }
};

}  // namespace impl

using RNN = impl::RNN<>;
using GRU = impl::GRU<>;
using LSTM = impl::LSTM<>;
using RNNCell = impl::RNNCell<>;
using GRUCell = impl::GRUCell<>;
using LSTMCell = impl::LSTMCell<>;

}  // namespace tessera::nn
