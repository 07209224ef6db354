#pragma once
// Learning-rate schedulers of torch.optim.lr_scheduler with PyTorch 1.13's formulas, acting on
// every parameter group.

#include <cmath>
// std::function alone: libstdc++'s <functional> also brings searchers, bind and more, which a
// program that includes tessera would parse for nothing.
#if defined(__GLIBCXX__) && __has_include(<bits/std_function.h>)
#include <bits/std_function.h>
#else
#include <functional>
#endif
#include <limits>
#include <numbers>
#include <optional>

#include "../core/algorithm.hpp"
#include "optimizer.hpp"

namespace tessera::optim {
namespace impl {

template <class = void>
Tensor<double> sched_vector(const std::vector<double>& v) {
  return from_vector(v, {static_cast<int64_t>(v.size())});
}
template <class = void>
std::vector<double> sched_values(const std::map<std::string, AnyTensor>& dict, const std::string& key) {
  const auto it = dict.find(key);
  TS_CHECK(it != dict.end(), "load_state_dict: missing key \"", key, "\" in the scheduler's state_dict");
  return tessera::detail::values_as_doubles(it->second);
}

/** A schedule over epochs: call step() once per epoch, after the optimizer's steps. As in
 *  PyTorch, constructing one records each group's rate as its base (group["initial_lr"], kept by
 *  the first scheduler of an optimizer) and takes epoch 0; each step() sets every group's rate for
 *  the next epoch, computed from the current rates (PyTorch's chainable form), so the rates match
 *  PyTorch's to the last bit. */
template <class = void>
class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  virtual void step() {
    ++step_count_;
    ++last_epoch_;
    apply(get_lr());
  }
  /** PyTorch's step(epoch): jumps to an epoch, by the closed form where the schedule has one. */
  virtual void step(int64_t epoch) {
    ++step_count_;
    last_epoch_ = epoch;
    auto closed = closed_form_lr();
    apply(closed ? *closed : get_lr());
  }
  /** The rate of every group after the last step, as PyTorch's list. */
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  Optimizer<>& optimizer() const { return *optimizer_; }
  /** The epoch count, base rates and whatever else the schedule changes as it steps. */
  virtual std::map<std::string, AnyTensor> state_dict() const {
    return {{"last_epoch", from_vector(std::vector<double>{static_cast<double>(last_epoch_)}, {})},
            {"_step_count", from_vector(std::vector<double>{static_cast<double>(step_count_)}, {})},
            {"base_lrs", sched_vector(base_lrs_)},
            {"_last_lr", sched_vector(last_lr_)}};
  }
  virtual void load_state_dict(const std::map<std::string, AnyTensor>& dict) {
    last_epoch_ = static_cast<int64_t>(sched_values(dict, "last_epoch").at(0));
    step_count_ = static_cast<int64_t>(sched_values(dict, "_step_count").at(0));
    base_lrs_ = sched_values(dict, "base_lrs");
    last_lr_ = sched_values(dict, "_last_lr");
  }

 protected:
  explicit LRScheduler(Optimizer<>& optimizer) : optimizer_(&optimizer) {
    auto& initial = optimizer.initial_lrs();
    for (size_t g = 0; g < groups(); ++g) {
      if (!initial.count(g)) initial[g] = optimizer.lr(g);
      base_lrs_.push_back(initial[g]);
    }
  }
  struct NoBase {};
  LRScheduler(Optimizer<>& optimizer, NoBase) : optimizer_(&optimizer) {}

  /** PyTorch's _initial_step, which every constructor ends with. */
  void initial_step() {
    step_count_ = 0;
    step();
  }
  virtual std::vector<double> get_lr() = 0;
  virtual std::optional<std::vector<double>> closed_form_lr() { return std::nullopt; }

  size_t groups() const { return optimizer_->num_param_groups(); }
  /** The groups the scheduler was made with: PyTorch zips its per-group lists (base rates,
   *  lambdas) with the optimizer's groups, so a group added later keeps its rate there. */
  size_t scheduled() const { return std::min(groups(), base_lrs_.size()); }
  double lr(size_t g) const { return optimizer_->lr(g); }
  /** Every group's current rate times f(group). */
  template <class F>
  std::vector<double> scaled(F&& f) const {
    std::vector<double> out;
    for (size_t g = 0; g < groups(); ++g) out.push_back(lr(g) * f(g));
    return out;
  }
  std::vector<double> current() const {
    return scaled([](size_t) { return 1.0; });
  }
  void apply(const std::vector<double>& lrs) {
    for (size_t g = 0; g < std::min(groups(), lrs.size()); ++g) *optimizer_->option(g, "lr") = lrs[g];
    last_lr_ = current();
  }

  template <class>
  friend class SequentialLR;
  Optimizer<>* optimizer_;
  std::vector<double> base_lrs_, last_lr_;
  int64_t last_epoch_ = -1, step_count_ = 0;
};

/** Sets each group's rate to base rate * lr_lambda(epoch). */
template <class = void>
class LambdaLR : public LRScheduler<> {
 public:
  using Lambda = std::function<double(int64_t)>;
  LambdaLR(Optimizer<>& optimizer, Lambda lr_lambda)
      : LambdaLR(optimizer, std::vector<Lambda>(optimizer.num_param_groups(), std::move(lr_lambda))) {}
  LambdaLR(Optimizer<>& optimizer, std::vector<Lambda> lr_lambdas)
      : LRScheduler(optimizer), lambdas_(check(optimizer, std::move(lr_lambdas))) {
    initial_step();
  }

 protected:
  static std::vector<Lambda> check(Optimizer<>& optimizer, std::vector<Lambda> l) {
    TS_CHECK(l.size() == optimizer.num_param_groups(), "LambdaLR: Expected ", optimizer.num_param_groups(),
             " lr_lambdas, but got ", l.size());
    return l;
  }
  std::vector<double> get_lr() override {
    std::vector<double> out;
    for (size_t g = 0; g < scheduled(); ++g) out.push_back(base_lrs_[g] * lambdas_[g](last_epoch_));
    return out;
  }
  std::vector<Lambda> lambdas_;
};

/** Multiplies each group's rate by lr_lambda(epoch) at every step after the first. */
template <class = void>
class MultiplicativeLR : public LRScheduler<> {
 public:
  using Lambda = std::function<double(int64_t)>;
  MultiplicativeLR(Optimizer<>& optimizer, Lambda lr_lambda)
      : MultiplicativeLR(optimizer, std::vector<Lambda>(optimizer.num_param_groups(), std::move(lr_lambda))) {}
  MultiplicativeLR(Optimizer<>& optimizer, std::vector<Lambda> lr_lambdas)
      : LRScheduler(optimizer), lambdas_(std::move(lr_lambdas)) {
    TS_CHECK(lambdas_.size() == optimizer.num_param_groups(), "MultiplicativeLR: Expected ",
             optimizer.num_param_groups(), " lr_lambdas, but got ", lambdas_.size());
    initial_step();
  }

 protected:
  std::vector<double> get_lr() override {
    if (last_epoch_ <= 0) return current();
    std::vector<double> out;
    for (size_t g = 0; g < scheduled(); ++g) out.push_back(lr(g) * lambdas_[g](last_epoch_));
    return out;
  }
  std::vector<Lambda> lambdas_;
};

/** Multiplies the rate by gamma every step_size epochs. */
template <class = void>
class StepLR : public LRScheduler<> {
 public:
  StepLR(Optimizer<>& optimizer, int64_t step_size, double gamma = 0.1)
      : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
    TS_CHECK(step_size > 0, "StepLR: step_size must be positive, got ", step_size);
    initial_step();
  }

 protected:
  std::vector<double> get_lr() override {
    if (last_epoch_ == 0 || last_epoch_ % step_size_ != 0) return current();
    return scaled([&](size_t) { return gamma_; });
  }
  std::optional<std::vector<double>> closed_form_lr() override {
    std::vector<double> out;
    for (double base : base_lrs_)
      out.push_back(base * std::pow(gamma_, static_cast<double>(floor_div(last_epoch_, step_size_))));
    return out;
  }
  static int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
  int64_t step_size_;
  double gamma_;
};

/** Multiplies the rate by gamma at each milestone (by gamma^k for a milestone listed k times). */
template <class = void>
class MultiStepLR : public LRScheduler<> {
 public:
  MultiStepLR(Optimizer<>& optimizer, std::vector<int64_t> milestones, double gamma = 0.1)
      : LRScheduler(optimizer), milestones_(std::move(milestones)), gamma_(gamma) {
    std::sort(milestones_.begin(), milestones_.end());
    initial_step();
  }

 protected:
  std::vector<double> get_lr() override {
    const auto n = std::count(milestones_.begin(), milestones_.end(), last_epoch_);
    if (n == 0) return current();
    return scaled([&](size_t) { return std::pow(gamma_, static_cast<double>(n)); });
  }
  std::optional<std::vector<double>> closed_form_lr() override {
    const auto passed = std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) - milestones_.begin();
    std::vector<double> out;
    for (double base : base_lrs_) out.push_back(base * std::pow(gamma_, static_cast<double>(passed)));
    return out;
  }
  std::vector<int64_t> milestones_;
  double gamma_;
};

/** Multiplies the rate by factor until epoch total_iters. */
template <class = void>
class ConstantLR : public LRScheduler<> {
 public:
  ConstantLR(Optimizer<>& optimizer, double factor = 1.0 / 3, int64_t total_iters = 5)
      : LRScheduler(optimizer), factor_(factor), total_iters_(total_iters) {
    TS_CHECK(factor <= 1.0 && factor >= 0,
             "ConstantLR: Constant multiplicative factor expected to be between 0 and 1.");
    initial_step();
  }

 protected:
  std::vector<double> get_lr() override {
    if (last_epoch_ == 0) return scaled([&](size_t) { return factor_; });
    if (last_epoch_ != total_iters_) return current();
    TS_CHECK(factor_ != 0, "ConstantLR: float division by zero (a factor of 0 cannot be undone)");  // Python's error
    return scaled([&](size_t) { return 1.0 / factor_; });
  }
  std::optional<std::vector<double>> closed_form_lr() override {
    std::vector<double> out;
    for (double base : base_lrs_)
      out.push_back(base * (factor_ + (last_epoch_ >= total_iters_ ? 1.0 : 0.0) * (1 - factor_)));
    return out;
  }
  double factor_;
  int64_t total_iters_;
};

/** Scales the rate linearly from start_factor to end_factor over total_iters epochs. */
template <class = void>
class LinearLR : public LRScheduler<> {
 public:
  LinearLR(Optimizer<>& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int64_t total_iters = 5)
      : LRScheduler(optimizer), start_(start_factor), end_(end_factor), total_iters_(total_iters) {
    TS_CHECK(start_factor <= 1.0 && start_factor >= 0,
             "LinearLR: Starting multiplicative factor expected to be between 0 and 1.");
    TS_CHECK(end_factor <= 1.0 && end_factor >= 0,
             "LinearLR: Ending multiplicative factor expected to be between 0 and 1.");
    initial_step();
  }

 protected:
  std::vector<double> get_lr() override {
    if (last_epoch_ == 0) return scaled([&](size_t) { return start_; });
    if (last_epoch_ > total_iters_) return current();
    const double total = static_cast<double>(total_iters_), e = static_cast<double>(last_epoch_);
    const double denominator = total * start_ + (e - 1) * (end_ - start_);
    TS_CHECK(denominator != 0, "LinearLR: float division by zero (the factor was 0)");  // Python's error
    return scaled([&](size_t) { return 1. + (end_ - start_) / denominator; });
  }
  std::optional<std::vector<double>> closed_form_lr() override {
    std::vector<double> out;
    for (double base : base_lrs_)
      out.push_back(base * (start_ + (end_ - start_) * static_cast<double>(std::min(total_iters_, last_epoch_)) /
                                         static_cast<double>(total_iters_)));
    return out;
  }
  double start_, end_;
  int64_t total_iters_;
};

/** Multiplies the rate by gamma every epoch. */
template <class = void>
class ExponentialLR : public LRScheduler<> {
 public:
  ExponentialLR(Optimizer<>& optimizer, double gamma) : LRScheduler(optimizer), gamma_(gamma) { initial_step(); }

 protected:
  std::vector<double> get_lr() override {
    if (last_epoch_ == 0) return current();
    return scaled([&](size_t) { return gamma_; });
  }
  std::optional<std::vector<double>> closed_form_lr() override {
    std::vector<double> out;
    for (double base : base_lrs_) out.push_back(base * std::pow(gamma_, static_cast<double>(last_epoch_)));
    return out;
  }
  double gamma_;
};

/** Decays the rate by the polynomial (1 - epoch / total_iters)^power until total_iters. */
template <class = void>
class PolynomialLR : public LRScheduler<> {
 public:
  PolynomialLR(Optimizer<>& optimizer, int64_t total_iters = 5, double power = 1.0)
      : LRScheduler(optimizer), total_iters_(total_iters), power_(power) {
    initial_step();
  }

 protected:
  std::vector<double> get_lr() override {
    if (last_epoch_ == 0 || last_epoch_ > total_iters_) return current();
    const double e = static_cast<double>(last_epoch_), total = static_cast<double>(total_iters_);
    const double decay = std::pow((1.0 - e / total) / (1.0 - (e - 1) / total), power_);
    return scaled([&](size_t) { return decay; });
  }
  std::optional<std::vector<double>> closed_form_lr() override {
    std::vector<double> out;
    for (double base : base_lrs_)
      out.push_back(base * std::pow(1.0 - static_cast<double>(std::min(total_iters_, last_epoch_)) /
                                              static_cast<double>(total_iters_),
                                    power_));
    return out;
  }
  int64_t total_iters_;
  double power_;
};

/** Cosine annealing from the base rate to eta_min over t_max epochs (then back up, periodic),
 *  computed step by step as PyTorch does. */
template <class = void>
class CosineAnnealingLR : public LRScheduler<> {
 public:
  CosineAnnealingLR(Optimizer<>& optimizer, int64_t t_max, double eta_min = 0)
      : LRScheduler(optimizer), t_max_(t_max), eta_min_(eta_min) {
    TS_CHECK(t_max > 0, "CosineAnnealingLR: T_max must be positive, got ", t_max);
    initial_step();
  }

 protected:
  std::vector<double> get_lr() override {
    using std::numbers::pi;
    const double e = static_cast<double>(last_epoch_), t = static_cast<double>(t_max_);
    std::vector<double> out;
    if (last_epoch_ == 0) return current();
    // The branches that read the base rates cover the groups the scheduler was made with (scheduled).
    if (step_count_ == 1 && last_epoch_ > 0) {
      for (size_t g = 0; g < scheduled(); ++g)
        out.push_back(eta_min_ + (base_lrs_[g] - eta_min_) * (1 + std::cos(e * pi / t)) / 2);
    } else if ((((last_epoch_ - 1 - t_max_) % (2 * t_max_)) + 2 * t_max_) % (2 * t_max_) == 0) {  // Python's modulo
      for (size_t g = 0; g < scheduled(); ++g) out.push_back(lr(g) + (base_lrs_[g] - eta_min_) * (1 - std::cos(pi / t)) / 2);
    } else {
      for (size_t g = 0; g < groups(); ++g)
        out.push_back((1 + std::cos(pi * e / t)) / (1 + std::cos(pi * (e - 1) / t)) * (lr(g) - eta_min_) + eta_min_);
    }
    return out;
  }
  std::optional<std::vector<double>> closed_form_lr() override {
    using std::numbers::pi;
    std::vector<double> out;
    for (double base : base_lrs_)
      out.push_back(eta_min_ + (base - eta_min_) *
                                   (1 + std::cos(pi * static_cast<double>(last_epoch_) / static_cast<double>(t_max_))) /
                                   2);
    return out;
  }
  int64_t t_max_;
  double eta_min_;
};

/** Cosine annealing restarted every T_i epochs, T_i growing by t_mult after each restart. */
template <class = void>
class CosineAnnealingWarmRestarts : public LRScheduler<> {
 public:
  CosineAnnealingWarmRestarts(Optimizer<>& optimizer, int64_t t_0, int64_t t_mult = 1, double eta_min = 0)
      : LRScheduler(optimizer), t_0_(t_0), t_i_(t_0), t_mult_(t_mult), eta_min_(eta_min), t_cur_(-1) {
    TS_CHECK(t_0 > 0, "CosineAnnealingWarmRestarts: Expected positive integer T_0, but got ", t_0);
    TS_CHECK(t_mult >= 1, "CosineAnnealingWarmRestarts: Expected integer T_mult >= 1, but got ", t_mult);
    initial_step();
  }
  void step() override {
    if (last_epoch_ < 0) return step(int64_t{0});
    t_cur_ += 1;
    if (t_cur_ >= static_cast<double>(t_i_)) {
      t_cur_ -= static_cast<double>(t_i_);
      t_i_ *= t_mult_;
    }
    last_epoch_ += 1;
    apply(get_lr());
  }
  void step(int64_t epoch) override {
    TS_CHECK(epoch >= 0, "CosineAnnealingWarmRestarts: Expected non-negative epoch, but got ", epoch);
    if (epoch >= t_0_) {
      if (t_mult_ == 1) {
        t_cur_ = static_cast<double>(epoch % t_0_);
      } else {
        const double m = static_cast<double>(t_mult_), e = static_cast<double>(epoch), t0 = static_cast<double>(t_0_);
        const auto n = static_cast<int64_t>(std::log(e / t0 * (m - 1) + 1) / std::log(m));
        const double mn = std::pow(m, static_cast<double>(n));
        t_cur_ = e - t0 * (mn - 1) / (m - 1);
        t_i_ = t_0_ * static_cast<int64_t>(mn);
      }
    } else {
      t_i_ = t_0_;
      t_cur_ = static_cast<double>(epoch);
    }
    last_epoch_ = epoch;
    apply(get_lr());
  }
  std::map<std::string, AnyTensor> state_dict() const override {
    auto out = LRScheduler::state_dict();
    out["T_i"] = from_vector(std::vector<double>{static_cast<double>(t_i_)}, {});
    out["T_cur"] = from_vector(std::vector<double>{t_cur_}, {});
    return out;
  }
  void load_state_dict(const std::map<std::string, AnyTensor>& dict) override {
    LRScheduler::load_state_dict(dict);
    t_i_ = static_cast<int64_t>(sched_values(dict, "T_i").at(0));
    t_cur_ = sched_values(dict, "T_cur").at(0);
  }

 protected:
  std::vector<double> get_lr() override {
    using std::numbers::pi;
    std::vector<double> out;
    for (double base : base_lrs_)
      out.push_back(eta_min_ + (base - eta_min_) * (1 + std::cos(pi * t_cur_ / static_cast<double>(t_i_))) / 2);
    return out;
  }
  int64_t t_0_, t_i_, t_mult_;
  double eta_min_, t_cur_;
};

/** Writes a momentum-like option of every group: "momentum", or beta1 for Adam's family. */
template <class = void>
void set_momentum(Optimizer<>& optimizer, size_t g, bool use_beta1, double value) {
  *optimizer.option(g, use_beta1 ? "beta1" : "momentum") = value;
}

template <class = void>
std::vector<double> per_group(const Optimizer<>& optimizer, const char* op, const char* name,
                                     std::vector<double> values) {
  if (values.size() == 1) values.resize(optimizer.num_param_groups(), values[0]);
  TS_CHECK(values.size() == optimizer.num_param_groups(), op, ": expected ", optimizer.num_param_groups(),
           " values for ", name, ", got ", values.size());
  return values;
}

struct OneCycleLROptions {
  std::optional<int64_t> total_steps = std::nullopt;
  std::optional<int64_t> epochs = std::nullopt;
  std::optional<int64_t> steps_per_epoch = std::nullopt;
  double pct_start = 0.3;
  std::string anneal_strategy = "cos";
  bool cycle_momentum = true;
  double base_momentum = 0.85;
  double max_momentum = 0.95;
  double div_factor = 25.;
  double final_div_factor = 1e4;
  bool three_phase = false;
};

/** The 1cycle policy: up from max_lr / div_factor to max_lr, then down to far below, with the
 *  momentum (or beta1) moving the other way; steps once per batch, total_steps times. */
template <class = void>
class OneCycleLR : public LRScheduler<> {
 public:
  OneCycleLR(Optimizer<>& optimizer, double max_lr, OneCycleLROptions o = {})
      : OneCycleLR(optimizer, std::vector<double>{max_lr}, std::move(o)) {}
  OneCycleLR(Optimizer<>& optimizer, std::vector<double> max_lr, OneCycleLROptions o = {})
      : LRScheduler(optimizer, NoBase{}), o_(std::move(o)) {
    TS_CHECK(o_.total_steps || (o_.epochs && o_.steps_per_epoch),
             "OneCycleLR: You must define either total_steps OR (epochs AND steps_per_epoch)");
    if (o_.total_steps) {
      TS_CHECK(*o_.total_steps > 0, "OneCycleLR: Expected positive integer total_steps, but got ", *o_.total_steps);
      total_steps_ = *o_.total_steps;
    } else {
      TS_CHECK(*o_.epochs > 0, "OneCycleLR: Expected positive integer epochs, but got ", *o_.epochs);
      TS_CHECK(*o_.steps_per_epoch > 0, "OneCycleLR: Expected positive integer steps_per_epoch, but got ",
               *o_.steps_per_epoch);
      total_steps_ = *o_.epochs * *o_.steps_per_epoch;
    }
    const double total = static_cast<double>(total_steps_), pct = o_.pct_start;
    if (o_.three_phase)
      phases_ = {{pct * total - 1, Initial, Max, MaxMomentum, BaseMomentum},
                 {2 * pct * total - 2, Max, Initial, BaseMomentum, MaxMomentum},
                 {total - 1, Initial, Min, MaxMomentum, MaxMomentum}};
    else
      phases_ = {{pct * total - 1, Initial, Max, MaxMomentum, BaseMomentum},
                 {total - 1, Max, Min, BaseMomentum, MaxMomentum}};
    TS_CHECK(pct >= 0 && pct <= 1, "OneCycleLR: Expected float between 0 and 1 pct_start, but got ",
             tessera::detail::py_float(pct));
    TS_CHECK(o_.anneal_strategy == "cos" || o_.anneal_strategy == "linear",
             "OneCycleLR: anneal_strategy must by one of 'cos' or 'linear', instead got ", o_.anneal_strategy);
    max_lrs_ = per_group(optimizer, "OneCycleLR", "max_lr", std::move(max_lr));
    auto& initial = optimizer.initial_lrs();
    for (size_t g = 0; g < groups(); ++g) {
      initial[g] = max_lrs_[g] / o_.div_factor;
      min_lrs_.push_back(initial[g] / o_.final_div_factor);
      base_lrs_.push_back(initial[g]);
    }
    if (o_.cycle_momentum) {
      TS_CHECK(optimizer.option(0, "momentum") || optimizer.option(0, "beta1"),
               "OneCycleLR: optimizer must support momentum with `cycle_momentum` option enabled");
      use_beta1_ = optimizer.option(0, "beta1") != nullptr;
      for (size_t g = 0; g < groups(); ++g) set_momentum(optimizer, g, use_beta1_, o_.max_momentum);
    }
    initial_step();
  }

 protected:
  enum Value { Initial, Max, Min, MaxMomentum, BaseMomentum };
  struct Phase {
    double end_step;
    Value start_lr, end_lr, start_momentum, end_momentum;
  };
  double value(size_t g, Value v) const {
    switch (v) {
      case Initial: return base_lrs_[g];
      case Max: return max_lrs_[g];
      case Min: return min_lrs_[g];
      case MaxMomentum: return o_.max_momentum;
      default: return o_.base_momentum;
    }
  }
  double anneal(double start, double end, double pct) const {
    if (o_.anneal_strategy == "cos") return end + (start - end) / 2.0 * (std::cos(std::numbers::pi * pct) + 1);
    return (end - start) * pct + start;
  }
  std::vector<double> get_lr() override {
    const int64_t step_num = last_epoch_;
    TS_CHECK(step_num <= total_steps_, "OneCycleLR: Tried to step ", step_num + 1,
             " times. The specified number of total steps is ", total_steps_);
    TS_CHECK(groups() <= base_lrs_.size(), "OneCycleLR: a parameter group was added after the scheduler was made "
             "(it has no 'initial_lr', 'max_lr' and 'min_lr')");
    std::vector<double> lrs;
    for (size_t g = 0; g < groups(); ++g) {
      double start_step = 0, computed_lr = 0, computed_momentum = 0;
      for (size_t i = 0; i < phases_.size(); ++i) {
        const Phase& phase = phases_[i];
        if (static_cast<double>(step_num) <= phase.end_step || i == phases_.size() - 1) {
          const double pct = (static_cast<double>(step_num) - start_step) / (phase.end_step - start_step);
          computed_lr = anneal(value(g, phase.start_lr), value(g, phase.end_lr), pct);
          computed_momentum = anneal(value(g, phase.start_momentum), value(g, phase.end_momentum), pct);
          break;
        }
        start_step = phase.end_step;
      }
      lrs.push_back(computed_lr);
      if (o_.cycle_momentum) set_momentum(*optimizer_, g, use_beta1_, computed_momentum);
    }
    return lrs;
  }
  OneCycleLROptions o_;
  int64_t total_steps_ = 0;
  std::vector<Phase> phases_;
  std::vector<double> max_lrs_, min_lrs_;
  bool use_beta1_ = false;
};

struct CyclicLROptions {
  double step_size_up = 2000;
  std::optional<double> step_size_down = std::nullopt;
  std::string mode = "triangular";
  double gamma = 1.;
  std::function<double(double)> scale_fn = nullptr;
  std::string scale_mode = "cycle";
  bool cycle_momentum = true;
  double base_momentum = 0.8;
  double max_momentum = 0.9;
};

/** Cycles the rate between base_lr and max_lr (triangular, triangular2, exp_range or a
 *  scale_fn), and the momentum the other way; steps once per batch. */
template <class = void>
class CyclicLR : public LRScheduler<> {
 public:
  CyclicLR(Optimizer<>& optimizer, double base_lr, double max_lr, CyclicLROptions o = {})
      : CyclicLR(optimizer, std::vector<double>{base_lr}, std::vector<double>{max_lr}, std::move(o)) {}
  CyclicLR(Optimizer<>& optimizer, std::vector<double> base_lr, std::vector<double> max_lr, CyclicLROptions o = {})
      : LRScheduler(optimizer, NoBase{}), o_(std::move(o)) {
    const auto bases = per_group(optimizer, "CyclicLR", "base_lr", std::move(base_lr));
    for (size_t g = 0; g < groups(); ++g) *optimizer.option(g, "lr") = bases[g];
    max_lrs_ = per_group(optimizer, "CyclicLR", "max_lr", std::move(max_lr));
    const double down = o_.step_size_down.value_or(o_.step_size_up);
    total_size_ = o_.step_size_up + down;
    step_ratio_ = o_.step_size_up / total_size_;
    TS_CHECK(o_.mode == "triangular" || o_.mode == "triangular2" || o_.mode == "exp_range" || o_.scale_fn,
             "CyclicLR: mode is invalid and scale_fn is None");
    if (!o_.scale_fn) o_.scale_mode = o_.mode == "exp_range" ? "iterations" : "cycle";
    if (o_.cycle_momentum) {
      TS_CHECK(optimizer.option(0, "momentum"),
               "CyclicLR: optimizer must support momentum with `cycle_momentum` option enabled");
      for (size_t g = 0; g < groups(); ++g) {
        *optimizer.option(g, "momentum") = o_.base_momentum;
        base_momentums_.push_back(o_.base_momentum);
        max_momentums_.push_back(o_.max_momentum);
      }
    }
    // As PyTorch: the base class's rates (group["initial_lr"]) serve the first step, then base_lr.
    auto& initial = optimizer.initial_lrs();
    for (size_t g = 0; g < groups(); ++g) {
      if (!initial.count(g)) initial[g] = optimizer.lr(g);
      base_lrs_.push_back(initial[g]);
    }
    initial_step();
    base_lrs_ = bases;
  }

 protected:
  double scale(double x) const {
    if (o_.scale_fn) return o_.scale_fn(x);
    if (o_.mode == "triangular") return 1.;
    if (o_.mode == "triangular2") return 1 / std::pow(2., x - 1);
    return std::pow(o_.gamma, x);
  }
  std::vector<double> get_lr() override {
    const double e = static_cast<double>(last_epoch_);
    const double cycle = std::floor(1 + e / total_size_), x = 1. + e / total_size_ - cycle;
    const double factor = x <= step_ratio_ ? x / step_ratio_ : (x - 1) / (step_ratio_ - 1);
    const double s = scale(o_.scale_mode == "cycle" ? cycle : e);
    std::vector<double> lrs;
    for (size_t g = 0; g < scheduled(); ++g) lrs.push_back(base_lrs_[g] + (max_lrs_[g] - base_lrs_[g]) * factor * s);
    if (o_.cycle_momentum)
      for (size_t g = 0; g < std::min(groups(), max_momentums_.size()); ++g)
        *optimizer_->option(g, "momentum") =
            max_momentums_[g] - (max_momentums_[g] - base_momentums_[g]) * factor * s;
    return lrs;
  }
  CyclicLROptions o_;
  std::vector<double> max_lrs_, base_momentums_, max_momentums_;
  double total_size_ = 0, step_ratio_ = 0;
};

/** Runs schedulers one after another, switching at each milestone (the next one starts from
 *  its epoch 0, by its closed form). */
/** Steps several schedulers of one optimizer together, each on the rates the previous left. */
template <class = void>
class ChainedScheduler : public LRScheduler<> {
 public:
  explicit ChainedScheduler(std::vector<LRScheduler*> schedulers)
      : LRScheduler(first(schedulers)->optimizer(), NoBase{}), schedulers_(std::move(schedulers)) {
    for (size_t i = 1; i < schedulers_.size(); ++i)
      TS_CHECK(&schedulers_[i]->optimizer() == optimizer_,
               "ChainedScheduler: ChainedScheduler expects all schedulers to belong to the same optimizer, but got "
               "schedulers at index 0 and ", i, " to be different");
    last_lr_ = current();
  }
  void step() override {
    for (auto* s : schedulers_) s->step();
    last_lr_ = current();
  }
  using LRScheduler::step;

 protected:
  static LRScheduler* first(const std::vector<LRScheduler*>& schedulers) {
    TS_CHECK(!schedulers.empty(), "ChainedScheduler: no schedulers");
    return schedulers[0];
  }
  std::vector<double> get_lr() override { return current(); }
  std::vector<LRScheduler*> schedulers_;
};

template <class = void>
class SequentialLR : public LRScheduler<> {
 public:
  SequentialLR(Optimizer<>& optimizer, std::vector<LRScheduler*> schedulers, std::vector<int64_t> milestones)
      : LRScheduler(optimizer, NoBase{}), schedulers_(std::move(schedulers)), milestones_(std::move(milestones)) {
    for (size_t i = 0; i < schedulers_.size(); ++i)
      TS_CHECK(schedulers_[i]->optimizer_ == &optimizer,
               "SequentialLR: Sequential Schedulers expects all schedulers to belong to the same optimizer, but got "
               "schedulers at index ", i, " to be different than the optimizer passed in.");
    TS_CHECK(milestones_.size() + 1 == schedulers_.size(),
             "SequentialLR: Sequential Schedulers expects number of schedulers provided to be one more than the "
             "number of milestone points, but got number of schedulers ", schedulers_.size(),
             " and the number of milestones to be equal to ", milestones_.size());
    last_epoch_ = 0;
    for (size_t g = 0; g < groups(); ++g) *optimizer.option(g, "lr") = optimizer.initial_lrs().at(g);
    for (auto* s : schedulers_) s->last_epoch_ -= 1;
    schedulers_[0]->initial_step();
    last_lr_ = schedulers_[0]->get_last_lr();
  }
  void step() override {
    ++last_epoch_;
    const auto idx = static_cast<size_t>(std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) -
                                         milestones_.begin());
    LRScheduler* s = schedulers_[idx];
    if (idx > 0 && milestones_[idx - 1] == last_epoch_) s->step(int64_t{0});
    else s->step();
    last_lr_ = s->get_last_lr();
  }
  using LRScheduler::step;
  std::map<std::string, AnyTensor> state_dict() const override {
    auto out = LRScheduler::state_dict();
    for (size_t i = 0; i < schedulers_.size(); ++i)
      for (auto& [key, t] : schedulers_[i]->state_dict()) out["_schedulers." + std::to_string(i) + "." + key] = t;
    return out;
  }
  void load_state_dict(const std::map<std::string, AnyTensor>& dict) override {
    LRScheduler::load_state_dict(dict);
    for (size_t i = 0; i < schedulers_.size(); ++i) {
      const std::string prefix = "_schedulers." + std::to_string(i) + ".";
      std::map<std::string, AnyTensor> sub;
      for (const auto& [key, t] : dict)
        if (key.rfind(prefix, 0) == 0) sub[key.substr(prefix.size())] = t;
      schedulers_[i]->load_state_dict(sub);
    }
  }

 protected:
  std::vector<double> get_lr() override { return current(); }
  std::vector<LRScheduler*> schedulers_;
  std::vector<int64_t> milestones_;
};

struct ReduceLROnPlateauOptions {
  std::string mode = "min";
  double factor = 0.1;
  int64_t patience = 10;
  double threshold = 1e-4;
  std::string threshold_mode = "rel";
  int64_t cooldown = 0;
  std::vector<double> min_lr = {0};
  double eps = 1e-8;
};

/** Multiplies every group's rate by factor when the metric passed to step() has not improved
 *  for `patience` epochs. */
template <class = void>
class ReduceLROnPlateau {
 public:
  explicit ReduceLROnPlateau(Optimizer<>& optimizer, ReduceLROnPlateauOptions o = {})
      : optimizer_(&optimizer), o_(std::move(o)) {
    TS_CHECK(o_.factor < 1.0, "ReduceLROnPlateau: Factor should be < 1.0.");
    if (o_.min_lr.size() == 1) o_.min_lr.resize(optimizer.num_param_groups(), o_.min_lr[0]);
    TS_CHECK(o_.min_lr.size() == optimizer.num_param_groups(), "ReduceLROnPlateau: expected ",
             optimizer.num_param_groups(), " min_lrs, got ", o_.min_lr.size());
    TS_CHECK(o_.mode == "min" || o_.mode == "max", "ReduceLROnPlateau: mode ", o_.mode, " is unknown!");
    TS_CHECK(o_.threshold_mode == "rel" || o_.threshold_mode == "abs", "ReduceLROnPlateau: threshold mode ",
             o_.threshold_mode, " is unknown!");
    best_ = worse();
    for (size_t g = 0; g < optimizer.num_param_groups(); ++g) last_lr_.push_back(optimizer.lr(g));
  }
  void step(double metric) {
    ++last_epoch_;
    if (is_better(metric, best_)) {
      best_ = metric;
      num_bad_epochs_ = 0;
    } else {
      ++num_bad_epochs_;
    }
    if (cooldown_counter_ > 0) {
      --cooldown_counter_;
      num_bad_epochs_ = 0;
    }
    if (num_bad_epochs_ > o_.patience) {
      TS_CHECK(optimizer_->num_param_groups() <= o_.min_lr.size(), "ReduceLROnPlateau: list index out of range (a "
               "parameter group was added after the scheduler was made, without a min_lr)");
      for (size_t g = 0; g < optimizer_->num_param_groups(); ++g) {
        const double old_lr = optimizer_->lr(g), new_lr = std::max(old_lr * o_.factor, o_.min_lr[g]);
        if (old_lr - new_lr > o_.eps) *optimizer_->option(g, "lr") = new_lr;
      }
      cooldown_counter_ = o_.cooldown;
      num_bad_epochs_ = 0;
    }
    last_lr_.clear();
    for (size_t g = 0; g < optimizer_->num_param_groups(); ++g) last_lr_.push_back(optimizer_->lr(g));
  }
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  std::map<std::string, AnyTensor> state_dict() const {
    auto scalar = [](double v) { return AnyTensor(from_vector(std::vector<double>{v}, {})); };
    return {{"best", scalar(best_)},
            {"num_bad_epochs", scalar(static_cast<double>(num_bad_epochs_))},
            {"cooldown_counter", scalar(static_cast<double>(cooldown_counter_))},
            {"last_epoch", scalar(static_cast<double>(last_epoch_))},
            {"_last_lr", sched_vector(last_lr_)}};
  }
  void load_state_dict(const std::map<std::string, AnyTensor>& dict) {
    best_ = sched_values(dict, "best").at(0);
    num_bad_epochs_ = static_cast<int64_t>(sched_values(dict, "num_bad_epochs").at(0));
    cooldown_counter_ = static_cast<int64_t>(sched_values(dict, "cooldown_counter").at(0));
    last_epoch_ = static_cast<int64_t>(sched_values(dict, "last_epoch").at(0));
    last_lr_ = sched_values(dict, "_last_lr");
  }

 private:
  double worse() const {
    return o_.mode == "min" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  }
  bool is_better(double a, double best) const {
    if (o_.mode == "min" && o_.threshold_mode == "rel") return a < best * (1. - o_.threshold);
    if (o_.mode == "min") return a < best - o_.threshold;
    if (o_.threshold_mode == "rel") return a > best * (o_.threshold + 1.);
    return a > best + o_.threshold;
  }
  Optimizer<>* optimizer_;
  ReduceLROnPlateauOptions o_;
  double best_;
  int64_t num_bad_epochs_ = 0, cooldown_counter_ = 0, last_epoch_ = 0;
  std::vector<double> last_lr_;
};

}  // namespace impl

using ChainedScheduler = impl::ChainedScheduler<>;
using ConstantLR = impl::ConstantLR<>;
using CosineAnnealingLR = impl::CosineAnnealingLR<>;
using CosineAnnealingWarmRestarts = impl::CosineAnnealingWarmRestarts<>;
using CyclicLR = impl::CyclicLR<>;
using impl::CyclicLROptions;
using ExponentialLR = impl::ExponentialLR<>;
using LambdaLR = impl::LambdaLR<>;
using LinearLR = impl::LinearLR<>;
using LRScheduler = impl::LRScheduler<>;
using MultiplicativeLR = impl::MultiplicativeLR<>;
using MultiStepLR = impl::MultiStepLR<>;
using OneCycleLR = impl::OneCycleLR<>;
using PolynomialLR = impl::PolynomialLR<>;
using impl::OneCycleLROptions;
using ReduceLROnPlateau = impl::ReduceLROnPlateau<>;
using impl::ReduceLROnPlateauOptions;
using SequentialLR = impl::SequentialLR<>;
using StepLR = impl::StepLR<>;

}  // namespace tessera::optim
