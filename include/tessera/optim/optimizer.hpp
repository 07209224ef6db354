#pragma once
// The optimizers of torch.optim (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, NAdam,
// RAdam) with PyTorch 1.13's update formulas (its single-tensor path), parameter groups and
// state_dict.

#include <charconv>
#include <limits>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../autograd/engine.hpp"
#include "../autograd/grad_mode.hpp"
#include "../core/any_tensor.hpp"
#include "../ops/creation.hpp"
#include "../ops/elementwise.hpp"

namespace tessera {
namespace detail {

/** A number as Python's str(float) writes it ("-1.0", "1e-05"), for PyTorch's messages. */
inline std::string py_float(double v) {
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  std::string s(buf, end);
  if (s.find_first_of(".eni") == std::string::npos) s += ".0";
  return s;
}

}  // namespace detail

namespace optim {

/** An optimizer's parameters: float32 or float64 leaf tensors that require grad, from a braced
 *  list or a vector (a module's parameters()). */
struct ParamList : std::vector<AnyTensor> {
  ParamList() = default;
  ParamList(std::initializer_list<AnyTensor> params) : std::vector<AnyTensor>(params) {}
  template <class T>
    requires std::is_same_v<T, float> || std::is_same_v<T, double>
  ParamList(const std::vector<Tensor<T>>& params) : std::vector<AnyTensor>(params.begin(), params.end()) {}
  ParamList(std::vector<AnyTensor> params) : std::vector<AnyTensor>(std::move(params)) {}
};

// Note [Optimizer options]
// Each optimizer has an Options struct (every hyperparameter with PyTorch's default, in the order
// of PyTorch's signature, so designated initializers read like its keyword arguments) and a Group
// struct (parameters plus the same fields, optional: an unset field takes the optimizer's default,
// as PyTorch fills a param group from `defaults`). One field list generates both, and for_each
// visits the fields by PyTorch's name (betas are beta1 and beta2), which state_dict and the
// schedulers use.
#define TS_OPTIM_FIELD(type, name, value) type name = value;
#define TS_OPTIM_GROUP_FIELD(type, name, value) std::optional<type> name = std::nullopt;
#define TS_OPTIM_RESOLVE(type, name, value) \
  if (name) o.name = *name;
#define TS_OPTIM_VISIT(type, name, value) f(#name, name);
#define TS_OPTIM_OPTIONS(Opt, FIELDS)                                                  \
  struct Opt##Options {                                                                \
    FIELDS(TS_OPTIM_FIELD)                                                             \
    template <class F>                                                                 \
    void for_each(F&& f) {                                                             \
      FIELDS(TS_OPTIM_VISIT)                                                           \
    }                                                                                  \
  };                                                                                   \
  /** A parameter group: its parameters, and options that override the defaults. */    \
  struct Opt##Group {                                                                  \
    ParamList params = {};                                                             \
    FIELDS(TS_OPTIM_GROUP_FIELD)                                                       \
    Opt##Options resolve(Opt##Options o) const {                                       \
      FIELDS(TS_OPTIM_RESOLVE)                                                         \
      return o;                                                                        \
    }                                                                                  \
  };

// SGD has no default learning rate, as in PyTorch: each group must have one (kRequired, a NaN,
// marks it missing).
inline constexpr double kRequired = std::numeric_limits<double>::quiet_NaN();
#define TS_SGD_FIELDS(X) \
  X(double, lr, kRequired) X(double, momentum, 0) X(double, dampening, 0) X(double, weight_decay, 0) \
  X(bool, nesterov, false) X(bool, maximize, false)
#define TS_ADAM_FIELDS(X) \
  X(double, lr, 1e-3) X(double, beta1, 0.9) X(double, beta2, 0.999) X(double, eps, 1e-8) \
  X(double, weight_decay, 0) X(bool, amsgrad, false) X(bool, maximize, false)
#define TS_ADAMW_FIELDS(X) \
  X(double, lr, 1e-3) X(double, beta1, 0.9) X(double, beta2, 0.999) X(double, eps, 1e-8) \
  X(double, weight_decay, 1e-2) X(bool, amsgrad, false) X(bool, maximize, false)
#define TS_RMSPROP_FIELDS(X) \
  X(double, lr, 1e-2) X(double, alpha, 0.99) X(double, eps, 1e-8) X(double, weight_decay, 0) \
  X(double, momentum, 0) X(bool, centered, false) X(bool, maximize, false)
#define TS_ADAGRAD_FIELDS(X) \
  X(double, lr, 1e-2) X(double, lr_decay, 0) X(double, weight_decay, 0) X(double, initial_accumulator_value, 0) \
  X(double, eps, 1e-10) X(bool, maximize, false)
#define TS_ADADELTA_FIELDS(X) \
  X(double, lr, 1.0) X(double, rho, 0.9) X(double, eps, 1e-6) X(double, weight_decay, 0) X(bool, maximize, false)
#define TS_ADAMAX_FIELDS(X) \
  X(double, lr, 2e-3) X(double, beta1, 0.9) X(double, beta2, 0.999) X(double, eps, 1e-8) \
  X(double, weight_decay, 0) X(bool, maximize, false)
#define TS_NADAM_FIELDS(X) \
  X(double, lr, 2e-3) X(double, beta1, 0.9) X(double, beta2, 0.999) X(double, eps, 1e-8) \
  X(double, weight_decay, 0) X(double, momentum_decay, 4e-3)
#define TS_RADAM_FIELDS(X) \
  X(double, lr, 1e-3) X(double, beta1, 0.9) X(double, beta2, 0.999) X(double, eps, 1e-8) X(double, weight_decay, 0)

TS_OPTIM_OPTIONS(SGD, TS_SGD_FIELDS)
TS_OPTIM_OPTIONS(Adam, TS_ADAM_FIELDS)
TS_OPTIM_OPTIONS(AdamW, TS_ADAMW_FIELDS)
TS_OPTIM_OPTIONS(RMSprop, TS_RMSPROP_FIELDS)
TS_OPTIM_OPTIONS(Adagrad, TS_ADAGRAD_FIELDS)
TS_OPTIM_OPTIONS(Adadelta, TS_ADADELTA_FIELDS)
TS_OPTIM_OPTIONS(Adamax, TS_ADAMAX_FIELDS)
TS_OPTIM_OPTIONS(NAdam, TS_NADAM_FIELDS)
TS_OPTIM_OPTIONS(RAdam, TS_RADAM_FIELDS)

#undef TS_SGD_FIELDS
#undef TS_ADAM_FIELDS
#undef TS_ADAMW_FIELDS
#undef TS_RMSPROP_FIELDS
#undef TS_ADAGRAD_FIELDS
#undef TS_ADADELTA_FIELDS
#undef TS_ADAMAX_FIELDS
#undef TS_NADAM_FIELDS
#undef TS_RADAM_FIELDS
#undef TS_OPTIM_OPTIONS
#undef TS_OPTIM_VISIT
#undef TS_OPTIM_RESOLVE
#undef TS_OPTIM_GROUP_FIELD
#undef TS_OPTIM_FIELD

/** One parameter group as the optimizer holds it: its parameters and its complete options
 *  (PyTorch's `optimizer.param_groups[i]`; change `options.lr` between steps as schedulers do). */
template <class Options>
struct ParamGroup {
  ParamList params;
  Options options;
};

/** What an optimizer keeps per parameter (PyTorch's `optimizer.state[p]`): buffers such as
 *  exp_avg or momentum_buffer, and numbers such as the step count. */
struct ParamState {
  std::map<std::string, AnyTensor> tensors;  // of the parameter's dtype
  std::map<std::string, double> scalars;
};

namespace impl {

/** Calls f with the parameter as a Tensor<float> or Tensor<double>. */
template <class F>
decltype(auto) visit_param(const char* op, const AnyTensor& p, F&& f) {
  if (p.dtype() == DType::Float64) return f(p.as<double>());
  TS_CHECK(p.dtype() == DType::Float32, op, ": optimizer can only optimize float32 and float64 Tensors, got ",
           p.dtype());
  return f(p.as<float>());
}

/** What every optimizer shares: parameter groups, step, zero_grad, state_dict; schedulers see
 *  an optimizer through this interface. */
template <class = void>
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual void step() = 0;
  virtual size_t num_param_groups() const = 0;
  /** A hyperparameter of a group by PyTorch's name ("lr", "momentum", "beta1"), or null when
   *  this optimizer has none of that name. */
  virtual double* option(size_t group, std::string_view name) = 0;
  /** The learning rate of a group, which schedulers change between steps. */
  double lr(size_t group = 0) const { return *const_cast<Optimizer*>(this)->option(group, "lr"); }
  /** Sets the learning rate of every group. */
  void set_lr(double lr) {
    for (size_t g = 0; g < num_param_groups(); ++g) *option(g, "lr") = lr;
  }
  /** Every group's parameters, in order. */
  virtual std::vector<AnyTensor> parameters() const = 0;
  /** Clears gradients: set to none (the default, as PyTorch 2), or zeroed in place. */
  void zero_grad(bool set_to_none = true) const {
    for (const auto& p : parameters())
      visit_param("zero_grad", p, [&]<class T>(const Tensor<T>& t) {
        if (set_to_none) {
          t.set_grad({});
        } else if (t.grad().defined()) {
          NoGradGuard no_grad;
          t.grad().zero_();
        }
      });
  }
  /** The state and every group's options, as copies: "state.<i>.<name>" per parameter (numbered
   *  across groups in order, as PyTorch), "param_groups.<g>.<option>" as 0-dim float64 tensors and
   *  "param_groups.<g>.params" (the parameters' numbers). */
  virtual std::map<std::string, AnyTensor> state_dict() const = 0;
  /** Restores a state_dict into an optimizer of the same kind with groups of the same sizes. */
  virtual void load_state_dict(const std::map<std::string, AnyTensor>& dict) = 0;
  /** PyTorch's group["initial_lr"]: set by the first scheduler made for the optimizer, read by
   *  the next ones as their base rates. */
  std::map<size_t, double>& initial_lrs() { return initial_lrs_; }

 private:
  std::map<size_t, double> initial_lrs_;
};

/** Parameter groups, state and state_dict for an optimizer whose update is
 *  `Derived::update(param, grad, options, state)`. */
template <class Derived, class Options, class Group>
class OptimizerBase : public Optimizer<> {
 public:
  OptimizerBase(ParamList params, Options defaults = {}) : defaults_(defaults) {
    Derived::check(defaults);
    Group group;
    group.params = std::move(params);
    add_param_group(group);
  }
  OptimizerBase(std::vector<Group> groups, Options defaults = {}) : defaults_(defaults) {
    Derived::check(defaults);
    TS_CHECK(!groups.empty(), Derived::name, ": optimizer got an empty parameter list");
    for (const auto& g : groups) add_param_group(g);
  }

  /** Adds a group; options it leaves unset take the optimizer's defaults. */
  void add_param_group(const Group& group) {
    TS_CHECK(!group.params.empty() || !groups_.empty(), Derived::name, ": optimizer got an empty parameter list");
    for (const auto& p : group.params) {
      TS_CHECK(p.defined(), Derived::name, ": can't optimize an undefined Tensor");
      visit_param(Derived::name, p, [](const auto& t) {
        // As PyTorch: any leaf (a frozen one is skipped, having no gradient) or a non-leaf that retains its grad
        TS_CHECK(t.is_leaf() || (t.impl().autograd && t.impl().autograd->retains_grad), Derived::name,
                 ": can't optimize a non-leaf Tensor");
      });
      for (const auto& g : groups_)
        for (const auto& q : g.params)
          TS_CHECK(q.impl_ptr() != p.impl_ptr(), Derived::name,
                   ": some parameters appear in more than one parameter group");
    }
    const Options options = group.resolve(defaults_);
    TS_CHECK(!std::isnan(options.lr), Derived::name,
             ": parameter group didn't specify a value of required optimization parameter lr");
    groups_.push_back({group.params, options});
  }
  std::vector<ParamGroup<Options>>& param_groups() { return groups_; }
  const std::vector<ParamGroup<Options>>& param_groups() const { return groups_; }
  const Options& defaults() const { return defaults_; }
  /** The state of one parameter (empty until its first step). */
  ParamState& state(const AnyTensor& p) { return state_[p.impl_ptr().get()]; }

  void step() override {
    NoGradGuard no_grad;
    for (auto& group : groups_)
      for (const auto& p : group.params)
        visit_param(Derived::name, p, [&](const auto& t) {
          if (t.grad().defined()) Derived::update(t, t.grad(), group.options, state_[p.impl_ptr().get()]);
        });
  }
  size_t num_param_groups() const override { return groups_.size(); }
  double* option(size_t group, std::string_view name) override {
    TS_CHECK(group < groups_.size(), Derived::name, ": no parameter group ", group, " (there are ", groups_.size(),
             ")");
    double* found = nullptr;
    groups_[group].options.for_each([&]<class V>(const char* key, V& value) {
      if constexpr (std::is_same_v<V, double>)
        if (name == key) found = &value;
    });
    return found;
  }
  std::vector<AnyTensor> parameters() const override {
    std::vector<AnyTensor> out;
    for (const auto& g : groups_) out.insert(out.end(), g.params.begin(), g.params.end());
    return out;
  }

  std::map<std::string, AnyTensor> state_dict() const override {
    std::map<std::string, AnyTensor> out;
    int64_t index = 0;
    for (size_t g = 0; g < groups_.size(); ++g) {
      const std::string prefix = "param_groups." + std::to_string(g) + ".";
      Options o = groups_[g].options;
      o.for_each([&]<class V>(const char* key, V& value) { out[prefix + key] = scalar(static_cast<double>(value)); });
      std::vector<int64_t> numbers;
      for (const auto& p : groups_[g].params) {
        numbers.push_back(index);
        const auto it = state_.find(p.impl_ptr().get());
        if (it != state_.end()) {
          const std::string at = "state." + std::to_string(index) + ".";
          for (const auto& [key, t] : it->second.tensors)
            out[at + key] = AnyTensor(tessera::detail::copy_preserving(*t.impl_ptr(), *t.impl_ptr(), "state_dict"));
          for (const auto& [key, v] : it->second.scalars) out[at + key] = scalar(v);
        }
        ++index;
      }
      out[prefix + "params"] = from_vector(numbers, {static_cast<int64_t>(numbers.size())});
    }
    return out;
  }

  void load_state_dict(const std::map<std::string, AnyTensor>& dict) override {
    const auto params = parameters();
    std::vector<std::map<std::string, double>> options(groups_.size());
    std::map<const tessera::detail::TensorImpl*, ParamState> state;
    for (const auto& entry : dict) {  // not a structured binding: clang 14 can't capture one
      const std::string& key = entry.first;
      const AnyTensor& t = entry.second;
      const size_t dot1 = key.find('.'), dot2 = key.find('.', dot1 + 1);
      TS_CHECK(dot1 != std::string::npos && dot2 != std::string::npos, Derived::name,
               ": load_state_dict: unexpected key \"", key, "\"");
      const std::string kind = key.substr(0, dot1), field = key.substr(dot2 + 1);
      const size_t n = std::stoul(key.substr(dot1 + 1, dot2 - dot1 - 1));
      if (kind == "param_groups") {
        TS_CHECK(n < groups_.size(), Derived::name,
                 ": loaded state dict has a different number of parameter groups");
        if (field == "params")
          TS_CHECK(t.numel() == static_cast<int64_t>(groups_[n].params.size()), Derived::name,
                   ": loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
        else
          options[n][field] = scalar_value(t);
      } else {
        TS_CHECK(kind == "state" && n < params.size(), Derived::name, ": load_state_dict: unexpected key \"", key,
                 "\"");
        ParamState& s = state[params[n].impl_ptr().get()];
        if (field == "step" || field == "mu_product") {
          s.scalars[field] = scalar_value(t);
        } else {  // as PyTorch: in the parameter's dtype, on its device, a copy
          TS_CHECK(is_floating_point(t.dtype()), Derived::name, ": load_state_dict: \"", key, "\" has dtype ",
                   t.dtype(), ", but an optimizer's state tensors are floating");
          namespace td = tessera::detail;
          const AnyTensor& p = params[n];
          const AnyTensor v = td::to_device(td::cast_floating(t, p.dtype()), p.device());
          s.tensors[field] = v.impl_ptr() != t.impl_ptr()
                                 ? v
                                 : AnyTensor(td::copy_preserving(*t.impl_ptr(), *t.impl_ptr(), "load_state_dict"));
        }
      }
    }
    for (size_t g = 0; g < groups_.size(); ++g) {
      groups_[g].options.for_each([&]<class V>(const char* key, V& value) {
        const auto it = options[g].find(key);
        TS_CHECK(it != options[g].end(), Derived::name, ": load_state_dict: missing key \"param_groups.", g, ".",
                 key, "\"");
        if constexpr (std::is_same_v<V, bool>) value = it->second != 0;
        else value = it->second;
      });
    }
    state_ = std::move(state);
  }

 protected:
  static Tensor<double> scalar(double v) { return from_vector(std::vector<double>{v}, {}); }
  /** A saved option or step count: one element of any dtype, as a double. */
  static double scalar_value(const AnyTensor& t) {
    TS_CHECK(t.numel() == 1, Derived::name, ": load_state_dict: expected a one-element tensor, got shape ",
             tessera::detail::shape_str(t.sizes()));
    return tessera::detail::values_as_doubles(t)[0];
  }

  Options defaults_;
  std::vector<ParamGroup<Options>> groups_;
  std::map<const tessera::detail::TensorImpl*, ParamState> state_;
};

/** The buffer `name` of a parameter's state (sharing its data), made by `init` on the first step. */
template <class T, class Init>
Tensor<T> state_buffer(ParamState& s, const char* name, Init&& init) {
  auto it = s.tensors.find(name);
  if (it == s.tensors.end()) it = s.tensors.emplace(name, AnyTensor(init())).first;
  return it->second.template as<T>();
}

inline void check_lr(const char* op, double lr) { TS_CHECK(lr >= 0, op, ": Invalid learning rate: ", tessera::detail::py_float(lr)); }
inline void check_eps(const char* op, double eps) { TS_CHECK(eps >= 0, op, ": Invalid epsilon value: ", tessera::detail::py_float(eps)); }
inline void check_weight_decay(const char* op, double wd) {
  TS_CHECK(wd >= 0, op, ": Invalid weight_decay value: ", tessera::detail::py_float(wd));
}
inline void check_betas(const char* op, double beta1, double beta2) {
  TS_CHECK(beta1 >= 0 && beta1 < 1, op, ": Invalid beta parameter at index 0: ", tessera::detail::py_float(beta1));
  TS_CHECK(beta2 >= 0 && beta2 < 1, op, ": Invalid beta parameter at index 1: ", tessera::detail::py_float(beta2));
}

/** torch.optim.SGD: p -= lr * d, where d is the gradient plus weight decay, through a momentum
 *  buffer (the first step's buffer is the gradient itself) and Nesterov's look-ahead. */
template <class Tag = void>
class SGD : public OptimizerBase<SGD<Tag>, SGDOptions, SGDGroup> {
 public:
  using OptimizerBase<SGD<Tag>, SGDOptions, SGDGroup>::OptimizerBase;
  static constexpr const char* name = "SGD";
  static void check(const SGDOptions& o) {
    if (!std::isnan(o.lr)) check_lr(name, o.lr);  // a missing rate is refused per group
    TS_CHECK(o.momentum >= 0, "SGD: Invalid momentum value: ", tessera::detail::py_float(o.momentum));
    check_weight_decay(name, o.weight_decay);
    TS_CHECK(!o.nesterov || (o.momentum > 0 && o.dampening == 0),
             "SGD: Nesterov momentum requires a momentum and zero dampening");
  }
  template <class T>
  static void update(const Tensor<T>& p, const Tensor<T>& grad, const SGDOptions& o, ParamState& s) {
    const auto c = [](double v) { return static_cast<T>(v); };
    Tensor<T> d = o.maximize ? -grad : grad;
    if (o.weight_decay != 0) d = d + p * c(o.weight_decay);
    if (o.momentum != 0) {
      const auto it = s.tensors.find("momentum_buffer");
      Tensor<T> buf;
      if (it == s.tensors.end()) {
        buf = d.clone();
        s.tensors.emplace("momentum_buffer", buf);
      } else {
        buf = it->second.template as<T>();
        buf.mul_(c(o.momentum)).add_(d * c(1 - o.dampening));
      }
      d = o.nesterov ? d + buf * c(o.momentum) : buf;
    }
    p.sub_(d * c(o.lr));
  }
};

/** Adam's step, shared with AdamW (`decoupled`: weight decay shrinks the parameter instead of
 *  joining the gradient). */
template <class T, class Options>
void adam_update(const Tensor<T>& p, const Tensor<T>& grad, const Options& o, ParamState& s, bool decoupled) {
  const auto c = [](double v) { return static_cast<T>(v); };
  Tensor<T> g = o.maximize ? -grad : grad;
  const double step = s.scalars["step"] += 1;
  if (o.weight_decay != 0) {
    if (decoupled) p.mul_(c(1 - o.lr * o.weight_decay));
    else g = g + p * c(o.weight_decay);
  }
  auto zeros = [&] { return zeros_like(p); };
  Tensor<T> exp_avg = state_buffer<T>(s, "exp_avg", zeros);
  Tensor<T> exp_avg_sq = state_buffer<T>(s, "exp_avg_sq", zeros);
  exp_avg.mul_(c(o.beta1)).add_(g * c(1 - o.beta1));
  exp_avg_sq.mul_(c(o.beta2)).add_(g * g * c(1 - o.beta2));
  const double bias1 = 1 - std::pow(o.beta1, step), bias2 = 1 - std::pow(o.beta2, step);
  const double step_size = o.lr / bias1, bias2_sqrt = std::sqrt(bias2);
  Tensor<T> denom;
  if (o.amsgrad) {
    Tensor<T> max_sq = state_buffer<T>(s, "max_exp_avg_sq", zeros);
    max_sq.copy_(maximum(max_sq, exp_avg_sq));
    denom = (max_sq.sqrt() / c(bias2_sqrt)).add_(c(o.eps));
  } else {
    denom = (exp_avg_sq.sqrt() / c(bias2_sqrt)).add_(c(o.eps));
  }
  p.sub_(exp_avg / denom * c(step_size));
}

/** torch.optim.Adam (with amsgrad and maximize). */
template <class Tag = void>
class Adam : public OptimizerBase<Adam<Tag>, AdamOptions, AdamGroup> {
 public:
  using OptimizerBase<Adam<Tag>, AdamOptions, AdamGroup>::OptimizerBase;
  static constexpr const char* name = "Adam";
  static void check(const AdamOptions& o) {
    check_lr(name, o.lr), check_eps(name, o.eps), check_betas(name, o.beta1, o.beta2);
    check_weight_decay(name, o.weight_decay);
  }
  template <class T>
  static void update(const Tensor<T>& p, const Tensor<T>& g, const AdamOptions& o, ParamState& s) {
    adam_update(p, g, o, s, false);
  }
};

/** torch.optim.AdamW: Adam with decoupled weight decay, 1e-2 by default. */
template <class Tag = void>
class AdamW : public OptimizerBase<AdamW<Tag>, AdamWOptions, AdamWGroup> {
 public:
  using OptimizerBase<AdamW<Tag>, AdamWOptions, AdamWGroup>::OptimizerBase;
  static constexpr const char* name = "AdamW";
  static void check(const AdamWOptions& o) {
    check_lr(name, o.lr), check_eps(name, o.eps), check_betas(name, o.beta1, o.beta2);
    check_weight_decay(name, o.weight_decay);
  }
  template <class T>
  static void update(const Tensor<T>& p, const Tensor<T>& g, const AdamWOptions& o, ParamState& s) {
    adam_update(p, g, o, s, true);
  }
};

/** torch.optim.RMSprop: divides by a running root mean square of the gradient (centered:
 *  minus the squared running mean), optionally through a momentum buffer. */
template <class Tag = void>
class RMSprop : public OptimizerBase<RMSprop<Tag>, RMSpropOptions, RMSpropGroup> {
  using Base = OptimizerBase<RMSprop<Tag>, RMSpropOptions, RMSpropGroup>;

 public:
  using Base::Base;
  static constexpr const char* name = "RMSprop";
  static void check(const RMSpropOptions& o) {
    check_lr(name, o.lr), check_eps(name, o.eps);
    TS_CHECK(o.momentum >= 0, "RMSprop: Invalid momentum value: ", tessera::detail::py_float(o.momentum));
    check_weight_decay(name, o.weight_decay);
    TS_CHECK(o.alpha >= 0, "RMSprop: Invalid alpha value: ", tessera::detail::py_float(o.alpha));
  }
  template <class T>
  static void update(const Tensor<T>& p, const Tensor<T>& grad, const RMSpropOptions& o, ParamState& s) {
    const auto c = [](double v) { return static_cast<T>(v); };
    auto zeros = [&] { return zeros_like(p); };
    Tensor<T> g = o.maximize ? -grad : grad;
    s.scalars["step"] += 1;
    if (o.weight_decay != 0) g = g + p * c(o.weight_decay);
    Tensor<T> square_avg = state_buffer<T>(s, "square_avg", zeros);
    square_avg.mul_(c(o.alpha)).add_(g * g * c(1 - o.alpha));
    Tensor<T> avg;
    if (o.centered) {
      Tensor<T> grad_avg = state_buffer<T>(s, "grad_avg", zeros);
      grad_avg.mul_(c(o.alpha)).add_(g * c(1 - o.alpha));
      avg = (square_avg - grad_avg * grad_avg).sqrt();
    } else {
      avg = square_avg.sqrt();
    }
    avg.add_(c(o.eps));
    if (o.momentum > 0) {
      Tensor<T> buf = state_buffer<T>(s, "momentum_buffer", zeros);
      buf.mul_(c(o.momentum)).add_(g / avg);
      p.sub_(buf * c(o.lr));
    } else {
      p.sub_(g / avg * c(o.lr));
    }
  }
};

/** torch.optim.Adagrad: divides by the root of the summed squared gradients; the rate decays
 *  as lr / (1 + (step - 1) * lr_decay). As PyTorch's, it makes each parameter's state (step 0,
 *  the sum at the optimizer's initial_accumulator_value, whatever its group says) when
 *  constructed, so state_dict() has it before the first step; a group added later gets its
 *  state at its first step. */
template <class Tag = void>
class Adagrad : public OptimizerBase<Adagrad<Tag>, AdagradOptions, AdagradGroup> {
  using Base = OptimizerBase<Adagrad<Tag>, AdagradOptions, AdagradGroup>;

 public:
  Adagrad(ParamList params, AdagradOptions defaults = {}) : Base(std::move(params), defaults) { make_state(); }
  Adagrad(std::vector<AdagradGroup> groups, AdagradOptions defaults = {}) : Base(std::move(groups), defaults) {
    make_state();
  }
  static constexpr const char* name = "Adagrad";
  static void check(const AdagradOptions& o) {
    check_lr(name, o.lr);
    TS_CHECK(o.lr_decay >= 0, "Adagrad: Invalid lr_decay value: ", tessera::detail::py_float(o.lr_decay));
    check_weight_decay(name, o.weight_decay);
    TS_CHECK(o.initial_accumulator_value >= 0, "Adagrad: Invalid initial_accumulator_value value: ",
             tessera::detail::py_float(o.initial_accumulator_value));
    check_eps(name, o.eps);
  }
  template <class T>
  static void update(const Tensor<T>& p, const Tensor<T>& grad, const AdagradOptions& o, ParamState& s) {
    const auto c = [](double v) { return static_cast<T>(v); };
    const double step = s.scalars["step"] += 1;
    Tensor<T> g = o.maximize ? -grad : grad;
    if (o.weight_decay != 0) g = g + p * c(o.weight_decay);
    const double clr = o.lr / (1 + (step - 1) * o.lr_decay);
    Tensor<T> sum = state_buffer<T>(s, "sum", [&] { return initial_sum(p, o); });
    sum.add_(g * g);
    p.sub_(g / sum.sqrt().add_(c(o.eps)) * c(clr));
  }

 private:
  template <class T>
  static Tensor<T> initial_sum(const Tensor<T>& p, const AdagradOptions& o) {
    return full_like(p, static_cast<T>(o.initial_accumulator_value));
  }
  void make_state() {
    NoGradGuard no_grad;
    for (const auto& group : this->param_groups())
      for (const auto& p : group.params)
        visit_param(name, p, [&](const auto& t) {
          ParamState& s = this->state(p);
          s.scalars["step"] = 0;
          s.tensors.emplace("sum", initial_sum(t, this->defaults()));  // PyTorch's: not the group's value
        });
  }
};

/** torch.optim.Adadelta: steps scaled by the ratio of running RMS of updates and gradients. */
template <class Tag = void>
class Adadelta : public OptimizerBase<Adadelta<Tag>, AdadeltaOptions, AdadeltaGroup> {
  using Base = OptimizerBase<Adadelta<Tag>, AdadeltaOptions, AdadeltaGroup>;

 public:
  using Base::Base;
  static constexpr const char* name = "Adadelta";
  static void check(const AdadeltaOptions& o) {
    check_lr(name, o.lr);
    TS_CHECK(o.rho >= 0 && o.rho <= 1, "Adadelta: Invalid rho value: ", tessera::detail::py_float(o.rho));
    check_eps(name, o.eps), check_weight_decay(name, o.weight_decay);
  }
  template <class T>
  static void update(const Tensor<T>& p, const Tensor<T>& grad, const AdadeltaOptions& o, ParamState& s) {
    const auto c = [](double v) { return static_cast<T>(v); };
    auto zeros = [&] { return zeros_like(p); };
    Tensor<T> g = o.maximize ? -grad : grad;
    s.scalars["step"] += 1;
    if (o.weight_decay != 0) g = g + p * c(o.weight_decay);
    Tensor<T> square_avg = state_buffer<T>(s, "square_avg", zeros);
    Tensor<T> acc_delta = state_buffer<T>(s, "acc_delta", zeros);
    square_avg.mul_(c(o.rho)).add_(g * g * c(1 - o.rho));
    const Tensor<T> std = (square_avg + c(o.eps)).sqrt();
    const Tensor<T> delta = (acc_delta + c(o.eps)).sqrt().div_(std).mul_(g);
    acc_delta.mul_(c(o.rho)).add_(delta * delta * c(1 - o.rho));
    p.sub_(delta * c(o.lr));
  }
};

/** torch.optim.Adamax: Adam with the infinity norm in place of the second moment. */
template <class Tag = void>
class Adamax : public OptimizerBase<Adamax<Tag>, AdamaxOptions, AdamaxGroup> {
  using Base = OptimizerBase<Adamax<Tag>, AdamaxOptions, AdamaxGroup>;

 public:
  using Base::Base;
  static constexpr const char* name = "Adamax";
  static void check(const AdamaxOptions& o) {
    check_lr(name, o.lr), check_eps(name, o.eps), check_betas(name, o.beta1, o.beta2);
    check_weight_decay(name, o.weight_decay);
  }
  template <class T>
  static void update(const Tensor<T>& p, const Tensor<T>& grad, const AdamaxOptions& o, ParamState& s) {
    const auto c = [](double v) { return static_cast<T>(v); };
    auto zeros = [&] { return zeros_like(p); };
    Tensor<T> g = o.maximize ? -grad : grad;
    const double step = s.scalars["step"] += 1;
    if (o.weight_decay != 0) g = g + p * c(o.weight_decay);
    Tensor<T> exp_avg = state_buffer<T>(s, "exp_avg", zeros);
    Tensor<T> exp_inf = state_buffer<T>(s, "exp_inf", zeros);
    exp_avg.mul_(c(o.beta1)).add_(g * c(1 - o.beta1));
    exp_inf.copy_(maximum(exp_inf.mul_(c(o.beta2)), g.abs().add_(c(o.eps))));
    const double clr = o.lr / (1 - std::pow(o.beta1, step));
    p.sub_(exp_avg / exp_inf * c(clr));
  }
};

/** torch.optim.NAdam: Adam with Nesterov momentum and a momentum schedule (momentum_decay).
 *  The running product of the schedule is a float32, as PyTorch keeps it in a tensor. */
template <class Tag = void>
class NAdam : public OptimizerBase<NAdam<Tag>, NAdamOptions, NAdamGroup> {
  using Base = OptimizerBase<NAdam<Tag>, NAdamOptions, NAdamGroup>;

 public:
  using Base::Base;
  static constexpr const char* name = "NAdam";
  static void check(const NAdamOptions& o) {
    check_lr(name, o.lr), check_eps(name, o.eps), check_betas(name, o.beta1, o.beta2);
    check_weight_decay(name, o.weight_decay);
    TS_CHECK(o.momentum_decay >= 0, "NAdam: Invalid momentum_decay value: ", tessera::detail::py_float(o.momentum_decay));
  }
  template <class T>
  static void update(const Tensor<T>& p, const Tensor<T>& grad, const NAdamOptions& o, ParamState& s) {
    const auto c = [](double v) { return static_cast<T>(v); };
    auto zeros = [&] { return zeros_like(p); };
    const double step = s.scalars["step"] += 1;
    if (!s.scalars.count("mu_product")) s.scalars["mu_product"] = 1;
    const double bias2 = 1 - std::pow(o.beta2, step);
    Tensor<T> g = grad;
    if (o.weight_decay != 0) g = g + p * c(o.weight_decay);
    const double mu = o.beta1 * (1. - 0.5 * std::pow(0.96, step * o.momentum_decay));
    const double mu_next = o.beta1 * (1. - 0.5 * std::pow(0.96, (step + 1) * o.momentum_decay));
    const float mu_product = static_cast<float>(s.scalars["mu_product"]) * static_cast<float>(mu);
    const float mu_product_next = mu_product * static_cast<float>(mu) * static_cast<float>(mu_next);
    s.scalars["mu_product"] = mu_product;
    Tensor<T> exp_avg = state_buffer<T>(s, "exp_avg", zeros);
    Tensor<T> exp_avg_sq = state_buffer<T>(s, "exp_avg_sq", zeros);
    exp_avg.mul_(c(o.beta1)).add_(g * c(1 - o.beta1));
    exp_avg_sq.mul_(c(o.beta2)).add_(g * g * c(1 - o.beta2));
    const Tensor<T> denom = (exp_avg_sq / c(bias2)).sqrt().add_(c(o.eps));
    p.sub_(g / denom * c(o.lr * (1. - mu) / (1. - mu_product)));
    p.sub_(exp_avg / denom * c(o.lr * mu_next / (1. - mu_product_next)));
  }
};

/** torch.optim.RAdam: Adam whose adaptive term is rectified, and left out while the variance
 *  estimate is unreliable (rho_t <= 5). */
template <class Tag = void>
class RAdam : public OptimizerBase<RAdam<Tag>, RAdamOptions, RAdamGroup> {
  using Base = OptimizerBase<RAdam<Tag>, RAdamOptions, RAdamGroup>;

 public:
  using Base::Base;
  static constexpr const char* name = "RAdam";
  static void check(const RAdamOptions& o) {
    check_lr(name, o.lr), check_eps(name, o.eps), check_betas(name, o.beta1, o.beta2);
    check_weight_decay(name, o.weight_decay);
  }
  template <class T>
  static void update(const Tensor<T>& p, const Tensor<T>& grad, const RAdamOptions& o, ParamState& s) {
    const auto c = [](double v) { return static_cast<T>(v); };
    auto zeros = [&] { return zeros_like(p); };
    const double step = s.scalars["step"] += 1;
    const double bias1 = 1 - std::pow(o.beta1, step), bias2 = 1 - std::pow(o.beta2, step);
    Tensor<T> g = grad;
    if (o.weight_decay != 0) g = g + p * c(o.weight_decay);
    Tensor<T> exp_avg = state_buffer<T>(s, "exp_avg", zeros);
    Tensor<T> exp_avg_sq = state_buffer<T>(s, "exp_avg_sq", zeros);
    exp_avg.mul_(c(o.beta1)).add_(g * c(1 - o.beta1));
    exp_avg_sq.mul_(c(o.beta2)).add_(g * g * c(1 - o.beta2));
    const Tensor<T> corrected = exp_avg / c(bias1);
    const double rho_inf = 2 / (1 - o.beta2) - 1;
    const double rho_t = rho_inf - 2 * step * std::pow(o.beta2, step) / bias2;
    if (rho_t > 5.) {
      const double rect =
          std::sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t));
      const Tensor<T> adaptive_lr = c(std::sqrt(bias2)) / exp_avg_sq.sqrt().add_(c(o.eps));
      p.sub_(corrected * c(o.lr) * adaptive_lr * c(rect));
    } else {
      p.sub_(corrected * c(o.lr));
    }
  }
};

}  // namespace impl

using Optimizer = impl::Optimizer<>;
using SGD = impl::SGD<>;
using Adam = impl::Adam<>;
using AdamW = impl::AdamW<>;
using RMSprop = impl::RMSprop<>;
using Adagrad = impl::Adagrad<>;
using Adadelta = impl::Adadelta<>;
using Adamax = impl::Adamax<>;
using NAdam = impl::NAdam<>;
using RAdam = impl::RAdam<>;

}  // namespace optim
}  // namespace tessera
