#pragma once
// Learning-rate schedulers: StepLR and CosineAnnealingLR, with PyTorch 1.13's formulas.

#include <cmath>
#include <numbers>

#include "optimizer.hpp"

namespace tessera::optim {
namespace impl {

/** A schedule over epochs: call step() once per epoch, after the optimizer's steps. As in
 *  PyTorch, constructing one records the optimizer's learning rate as the base and takes
 *  epoch 0; each step() sets the optimizer's rate for the next epoch. */
template <class Derived>
class LRScheduler {
 public:
  explicit LRScheduler(Optimizer<>& optimizer) : optimizer_(&optimizer), base_lr_(optimizer.lr()) {}
  void step() {
    ++last_epoch_;
    optimizer_->set_lr(static_cast<const Derived&>(*this).next_lr(optimizer_->lr()));
  }
  double get_last_lr() const { return optimizer_->lr(); }
  int64_t last_epoch() const { return last_epoch_; }

 protected:
  Optimizer<>* optimizer_;
  double base_lr_;
  int64_t last_epoch_ = 0;
};

/** Multiplies the rate by gamma every step_size epochs. */
template <class = void>
class StepLR : public LRScheduler<StepLR<>> {
 public:
  StepLR(Optimizer<>& optimizer, int64_t step_size, double gamma = 0.1)
      : LRScheduler<StepLR<>>(optimizer), step_size_(step_size), gamma_(gamma) {
    TS_CHECK(step_size > 0, "StepLR: step_size must be positive, got ", step_size);
  }
  double next_lr(double lr) const { return this->last_epoch_ % step_size_ == 0 ? lr * gamma_ : lr; }

 private:
  int64_t step_size_;
  double gamma_;
};

/** Cosine annealing from the base rate to eta_min over t_max epochs (then back up, periodic),
 *  computed step by step as PyTorch does, so the rates match it to the last bit. */
template <class = void>
class CosineAnnealingLR : public LRScheduler<CosineAnnealingLR<>> {
 public:
  CosineAnnealingLR(Optimizer<>& optimizer, int64_t t_max, double eta_min = 0)
      : LRScheduler<CosineAnnealingLR<>>(optimizer), t_max_(t_max), eta_min_(eta_min) {
    TS_CHECK(t_max > 0, "CosineAnnealingLR: T_max must be positive, got ", t_max);
  }
  double next_lr(double lr) const {
    using std::numbers::pi;
    const int64_t epoch = this->last_epoch_, period = 2 * t_max_;
    if ((((epoch - 1 - t_max_) % period) + period) % period == 0)  // Python's modulo
      return lr + (this->base_lr_ - eta_min_) * (1 - std::cos(pi / static_cast<double>(t_max_))) / 2;
    return (1 + std::cos(pi * static_cast<double>(epoch) / static_cast<double>(t_max_))) /
               (1 + std::cos(pi * static_cast<double>(epoch - 1) / static_cast<double>(t_max_))) * (lr - eta_min_) +
           eta_min_;
  }

 private:
  int64_t t_max_;
  double eta_min_;
};

}  // namespace impl

using StepLR = impl::StepLR<>;
using CosineAnnealingLR = impl::CosineAnnealingLR<>;

}  // namespace tessera::optim
