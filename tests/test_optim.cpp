// optim/: every optimizer follows PyTorch's trajectory on the same gradients (tests/golden/nn.txt,
// tests/golden/optim.txt), with parameter groups and state_dict; every scheduler gives PyTorch's
// rates bit for bit; invalid arguments raise PyTorch's messages.

#include "golden.hpp"

namespace test_optim {

using ts::Tensor;

TEST_CASE("optimizers reproduce PyTorch's parameters after five steps") {
  const auto records = golden::load("nn.txt");
  const std::map<std::string, std::function<std::unique_ptr<ts::optim::Optimizer>(Tensor<float>)>> make = {
      {"sgd", [](Tensor<float> p) { return std::make_unique<ts::optim::SGD>(std::vector{p}, ts::optim::SGDOptions{.lr = 0.1}); }},
      {"sgd_momentum", [](Tensor<float> p) {
         return std::make_unique<ts::optim::SGD>(
             std::vector{p}, ts::optim::SGDOptions{.lr = 0.1, .momentum = 0.9, .dampening = 0.1, .weight_decay = 0.01});
       }},
      {"sgd_nesterov", [](Tensor<float> p) {
         return std::make_unique<ts::optim::SGD>(std::vector{p},
                                                 ts::optim::SGDOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true});
       }},
      {"adam", [](Tensor<float> p) { return std::make_unique<ts::optim::Adam>(std::vector{p}, ts::optim::AdamOptions{.lr = 0.01}); }},
      {"adam_wd", [](Tensor<float> p) {
         return std::make_unique<ts::optim::Adam>(
             std::vector{p}, ts::optim::AdamOptions{.lr = 0.01, .beta1 = 0.8, .beta2 = 0.99, .eps = 1e-6, .weight_decay = 0.1});
       }},
      {"adamw", [](Tensor<float> p) { return std::make_unique<ts::optim::AdamW>(std::vector{p}, ts::optim::AdamWOptions{.lr = 0.01}); }},
  };
  size_t seen = 0;
  for (const auto& r : records) {
    if (!make.count(r.name)) continue;
    ++seen;
    SECTION(r.name) {
      auto p = ts::from_vector(golden::values<float>(r.get("start")), {3, 4}).requires_grad_();
      auto opt = make.at(r.name)(p);
      for (const auto& g : r.all("grad")) {
        opt->zero_grad();
        p.set_grad(ts::from_vector(golden::values<float>(g), {3, 4}));
        opt->step();
      }
      const auto got = p.to_vector(), want = golden::values<float>(r.get("final"));
      for (size_t i = 0; i < got.size(); ++i) {
        INFO("element " << i << ": got " << got[i] << ", PyTorch " << want[i]);
        CHECK(std::fabs(got[i] - want[i]) <= 1e-6f + 1e-5f * std::fabs(want[i]));
      }
    }
  }
  CHECK(seen == make.size());
}

TEST_CASE("optimizers: zero_grad, skipped parameters and bad arguments") {
  auto a = ts::ones({2}, {.requires_grad = true}), b = ts::ones({2}, {.requires_grad = true});
  ts::optim::SGD opt({a, b}, {.lr = 0.5});
  (a * 3).sum().backward();
  opt.step();  // b has no gradient: left alone
  CHECK(a.to_vector() == std::vector<float>{-0.5f, -0.5f});
  CHECK(b.to_vector() == std::vector<float>{1, 1});
  opt.zero_grad(false);
  CHECK(a.grad().to_vector() == std::vector<float>{0, 0});
  opt.zero_grad();
  CHECK_FALSE(a.grad().defined());
  CHECK_THROWS_WITH(ts::optim::SGD({a * 2}), "SGD: can't optimize a non-leaf Tensor");
  // a frozen parameter (requires_grad false) is accepted and left alone, as in PyTorch
  const auto frozen = ts::ones({2});
  ts::optim::SGD with_frozen({a, frozen}, {.lr = 0.1});
  a.set_grad(ts::ones({2}));
  with_frozen.step();
  CHECK(frozen.to_vector() == std::vector<float>{1, 1});
  CHECK_THROWS_WITH(ts::optim::SGD({a}, {.lr = 0.1, .nesterov = true}), Catch::Contains("Nesterov"));
  CHECK_THROWS_WITH(ts::optim::Adam({a}, {.beta1 = 1.5}),
                    Catch::Contains("Adam: Invalid beta parameter at index 0: 1.5"));
}

TEST_CASE("StepLR and CosineAnnealingLR give PyTorch's rates, bit for bit") {
  const auto records = golden::load("nn.txt");
  const std::map<std::string, std::function<std::function<void()>(ts::optim::Optimizer&)>> make = {
      {"step_lr", [](ts::optim::Optimizer& opt) {
         auto s = std::make_shared<ts::optim::StepLR>(opt, 3, 0.5);
         return [s] { s->step(); };
       }},
      {"cosine_lr", [](ts::optim::Optimizer& opt) {
         auto s = std::make_shared<ts::optim::CosineAnnealingLR>(opt, 4, 0.01);
         return [s] { s->step(); };
       }},
      {"cosine_lr_long", [](ts::optim::Optimizer& opt) {
         auto s = std::make_shared<ts::optim::CosineAnnealingLR>(opt, 7);
         return [s] { s->step(); };
       }},
  };
  for (const auto& entry : make) {  // not a structured binding: clang 14 can't capture one
    const std::string& name = entry.first;
    const auto& factory = entry.second;
    SECTION(name) {
      const auto want = golden::values<double>(std::find_if(records.begin(), records.end(), [&](const auto& r) {
                                                 return r.name == name;
                                               })->get("lrs"));
      auto p = ts::zeros({1}).requires_grad_();
      ts::optim::SGD opt({p}, {.lr = 0.1});
      const auto step = factory(opt);
      for (size_t epoch = 0; epoch < want.size(); ++epoch) {
        INFO(name << " epoch " << epoch);
        CHECK(opt.lr() == want[epoch]);
        step();
      }
    }
  }
  ts::optim::SGD opt({ts::zeros({1}).requires_grad_()}, {.lr = 0.1});
  CHECK_THROWS_WITH(ts::optim::StepLR(opt, 0), Catch::Contains("step_size must be positive"));
  ts::optim::StepLR s(opt, 2);
  s.step();
  s.step();
  CHECK(s.last_epoch() == 2);
  CHECK(s.get_last_lr() == std::vector<double>{0.1 * 0.1});
}

// ---- tests/golden/optim.txt (tests/golden/generate_optim.py) ----

namespace {

using ts::optim::Optimizer;
using OptimizerFactory = std::function<std::unique_ptr<Optimizer>(ts::AnyTensor, ts::AnyTensor)>;

template <class Opt, class Group, class Options>
OptimizerFactory groups(Options defaults, Group second) {
  return [=](ts::AnyTensor a, ts::AnyTensor b) {
    Group first;
    first.params = {a};
    Group other = second;
    other.params = {b};
    return std::make_unique<Opt>(std::vector<Group>{first, other}, defaults);
  };
}

// The cases of generate_optim.py's OPTIMIZERS: options of every group, then the second group's.
const std::map<std::string, OptimizerFactory>& optimizer_cases() {
  namespace o = ts::optim;
  static const std::map<std::string, OptimizerFactory> cases = {
      {"sgd", groups<o::SGD>(o::SGDOptions{.lr = 0.1}, o::SGDGroup{.lr = 0.05})},
      {"sgd_momentum", groups<o::SGD>(o::SGDOptions{.lr = 0.1, .momentum = 0.9, .dampening = 0.1, .weight_decay = 0.01},
                                      o::SGDGroup{.momentum = 0.5})},
      {"sgd_nesterov_maximize",
       groups<o::SGD>(o::SGDOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true, .maximize = true},
                      o::SGDGroup{.lr = 0.2})},
      {"adam", groups<o::Adam>(o::AdamOptions{.lr = 0.01}, o::AdamGroup{.lr = 0.02})},
      {"adam_amsgrad", groups<o::Adam>(o::AdamOptions{.lr = 0.01, .weight_decay = 0.1, .amsgrad = true},
                                       o::AdamGroup{.eps = 1e-6})},
      {"adam_maximize", groups<o::Adam>(o::AdamOptions{.lr = 0.01, .beta1 = 0.8, .beta2 = 0.99, .maximize = true},
                                        o::AdamGroup{.amsgrad = true})},
      {"adamw", groups<o::AdamW>(o::AdamWOptions{.lr = 0.01}, o::AdamWGroup{.weight_decay = 0.1})},
      {"adamw_amsgrad_maximize", groups<o::AdamW>(o::AdamWOptions{.lr = 0.01, .amsgrad = true, .maximize = true},
                                                  o::AdamWGroup{.lr = 0.03})},
      {"rmsprop", groups<o::RMSprop>(o::RMSpropOptions{.lr = 0.01}, o::RMSpropGroup{.alpha = 0.9})},
      {"rmsprop_centered",
       groups<o::RMSprop>(
           o::RMSpropOptions{.lr = 0.01, .alpha = 0.9, .weight_decay = 0.1, .momentum = 0.5, .centered = true},
           o::RMSpropGroup{.centered = false})},
      {"rmsprop_momentum_maximize", groups<o::RMSprop>(o::RMSpropOptions{.lr = 0.01, .momentum = 0.9, .maximize = true},
                                                       o::RMSpropGroup{.eps = 1e-4})},
      {"adagrad", groups<o::Adagrad>(o::AdagradOptions{.lr = 0.1}, o::AdagradGroup{.lr = 0.2})},
      {"adagrad_options", groups<o::Adagrad>(o::AdagradOptions{.lr = 0.1, .lr_decay = 0.01, .weight_decay = 0.1,
                                                               .initial_accumulator_value = 0.5, .eps = 1e-6,
                                                               .maximize = true},
                                             o::AdagradGroup{.lr_decay = 0.0})},
      {"adadelta", groups<o::Adadelta>(o::AdadeltaOptions{}, o::AdadeltaGroup{.lr = 0.5})},
      {"adadelta_options",
       groups<o::Adadelta>(o::AdadeltaOptions{.lr = 0.5, .rho = 0.8, .eps = 1e-5, .weight_decay = 0.1, .maximize = true},
                           o::AdadeltaGroup{.rho = 0.95})},
      {"adamax", groups<o::Adamax>(o::AdamaxOptions{.lr = 0.01}, o::AdamaxGroup{.lr = 0.02})},
      {"adamax_options", groups<o::Adamax>(o::AdamaxOptions{.lr = 0.01, .beta1 = 0.8, .beta2 = 0.99,
                                                            .weight_decay = 0.1, .maximize = true},
                                           o::AdamaxGroup{.eps = 1e-3})},
      {"nadam", groups<o::NAdam>(o::NAdamOptions{.lr = 0.01}, o::NAdamGroup{.lr = 0.02})},
      {"nadam_options", groups<o::NAdam>(o::NAdamOptions{.lr = 0.01, .beta1 = 0.8, .beta2 = 0.99, .weight_decay = 0.1,
                                                         .momentum_decay = 0.01},
                                         o::NAdamGroup{.momentum_decay = 0.004})},
      {"radam", groups<o::RAdam>(o::RAdamOptions{.lr = 0.01}, o::RAdamGroup{.lr = 0.02})},
      {"radam_options", groups<o::RAdam>(o::RAdamOptions{.lr = 0.01, .beta1 = 0.8, .beta2 = 0.9, .weight_decay = 0.1},
                                         o::RAdamGroup{.eps = 1e-4})},
  };
  return cases;
}

template <class T>
void check_close(const std::vector<T>& got, const std::vector<T>& want) {
  REQUIRE(got.size() == want.size());
  const T tol = std::is_same_v<T, float> ? T(1e-5) : T(1e-12);
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i << ": got " << got[i] << ", PyTorch " << want[i]);
    CHECK(std::abs(got[i] - want[i]) <= tol / 10 + tol * std::abs(want[i]));
  }
}

template <class T>
void replay(const golden::Record& r, const OptimizerFactory& make) {
  auto a = ts::from_vector(golden::values<T>(r.get("start_a")), {3, 4}).requires_grad_();
  auto b = ts::from_vector(golden::values<T>(r.get("start_b")), {5}).requires_grad_();
  auto opt = make(a, b);
  const auto ga = r.all("grad_a"), gb = r.all("grad_b");
  REQUIRE(ga.size() == 8);
  for (size_t s = 0; s < ga.size(); ++s) {
    opt->zero_grad();
    a.set_grad(ts::from_vector(golden::values<T>(ga[s]), {3, 4}));
    b.set_grad(ts::from_vector(golden::values<T>(gb[s]), {5}));
    opt->step();
  }
  check_close(a.to_vector(), golden::values<T>(r.get("final_a")));
  check_close(b.to_vector(), golden::values<T>(r.get("final_b")));
}

}  // namespace

// Tolerance (relative 1e-5 in float32, 1e-12 in float64), not bits: PyTorch's add_ with alpha, addcmul_ and addcdiv_ round differently from
// tessera's separate product and sum (p.add_(g, alpha=-0.1) differs from p - g * 0.1 in the last
// bit for about 9% of random float32 elements), and the difference compounds over the steps.
TEST_CASE("every optimizer reproduces PyTorch over eight steps, with two parameter groups, float32 and float64") {
  const auto records = golden::load("optim.txt");
  size_t seen = 0, seen_f64 = 0;
  for (const auto& r : records) {
    const bool f64 = r.name.size() > 4 && r.name.substr(r.name.size() - 4) == "_f64";
    const std::string name = f64 ? r.name.substr(0, r.name.size() - 4) : r.name;
    if (!optimizer_cases().count(name)) continue;
    ++(f64 ? seen_f64 : seen);
    SECTION(r.name) {
      if (f64) replay<double>(r, optimizer_cases().at(name));
      else replay<float>(r, optimizer_cases().at(name));
    }
  }
  CHECK(seen == optimizer_cases().size());
  CHECK(seen_f64 == optimizer_cases().size());
}

TEST_CASE("optimizers: state_dict resumes training bit for bit") {
  for (const auto& [name, make] : optimizer_cases()) {
    SECTION(name) {
      // The gradient is a fixed function of the parameters, so both runs see the same ones.
      auto run = [](Optimizer& opt, Tensor<float>& a, Tensor<float>& b, int steps) {
        for (int s = 0; s < steps; ++s) {
          opt.zero_grad();
          a.set_grad((a * a - 0.5f).detach());
          b.set_grad((b.sin() * 2.0f + 0.25f).detach());
          opt.step();
        }
      };
      auto start_a = ts::linspace(-1.0, 1.0, 12).reshape({3, 4}), start_b = ts::linspace(0.5, -0.7, 5);
      auto a = start_a.clone().requires_grad_(), b = start_b.clone().requires_grad_();
      auto straight = make(a, b);
      run(*straight, a, b, 7);

      auto a1 = start_a.clone().requires_grad_(), b1 = start_b.clone().requires_grad_();
      auto first = make(a1, b1);
      run(*first, a1, b1, 4);
      const auto saved = first->state_dict();
      const auto saved_a = a1.to_vector(), saved_b = b1.to_vector();
      run(*first, a1, b1, 1);  // the saved state is a copy: later steps leave it alone

      // A fresh optimizer over parameters holding the values at the save, with another rate
      // until load_state_dict restores the saved options.
      auto a2 = ts::from_vector(saved_a, {3, 4}).requires_grad_(), b2 = ts::from_vector(saved_b, {5}).requires_grad_();
      auto resumed = make(a2, b2);
      resumed->set_lr(123.0);
      resumed->load_state_dict(saved);
      CHECK(resumed->lr(0) == straight->lr(0));
      CHECK(resumed->lr(1) == straight->lr(1));
      run(*resumed, a2, b2, 3);
      CHECK(a2.to_vector() == a.to_vector());
      CHECK(b2.to_vector() == b.to_vector());
      CHECK(resumed->state_dict().size() == straight->state_dict().size());
    }
  }
}

namespace {

struct SchedulerCase {
  bool adam = false;
  std::function<std::shared_ptr<void>(Optimizer&, std::function<void(double)>&)> make;
};

// Wraps a scheduler whose step() takes no argument.
template <class S, class... Args>
SchedulerCase plain(Args... args) {
  return {false, [=](Optimizer& opt, std::function<void(double)>& step) {
            auto s = std::make_shared<S>(opt, args...);
            step = [s](double) { s->step(); };
            return std::shared_ptr<void>(s);
          }};
}

// The cases of generate_optim.py's SCHEDULERS.
std::map<std::string, SchedulerCase> scheduler_cases() {
  namespace o = ts::optim;
  using Lambda = o::LambdaLR::Lambda;
  std::map<std::string, SchedulerCase> cases = {
      {"lambda", plain<o::LambdaLR>(Lambda([](int64_t e) { return std::pow(0.95, static_cast<double>(e)); }))},
      {"lambda_per_group",
       plain<o::LambdaLR>(std::vector<Lambda>{[](int64_t e) { return std::pow(0.95, static_cast<double>(e)); },
                                              [](int64_t e) { return 1 / (static_cast<double>(e) + 1); }})},
      {"multiplicative", plain<o::MultiplicativeLR>(Lambda([](int64_t) { return 0.9; }))},
      {"step", plain<o::StepLR>(int64_t{4}, 0.5)},
      {"multistep", plain<o::MultiStepLR>(std::vector<int64_t>{3, 7, 7, 12}, 0.5)},
      {"exponential", plain<o::ExponentialLR>(0.9)},
      {"linear", plain<o::LinearLR>(0.25, 1.0, int64_t{8})},
      {"linear_down", plain<o::LinearLR>(1.0, 0.1, int64_t{12})},
      {"constant", plain<o::ConstantLR>(0.5, int64_t{6})},
      {"cosine", plain<o::CosineAnnealingLR>(int64_t{7}, 0.001)},
      {"warm_restarts", plain<o::CosineAnnealingWarmRestarts>(int64_t{5}, int64_t{2}, 0.001)},
      {"warm_restarts_fixed", plain<o::CosineAnnealingWarmRestarts>(int64_t{4})},
      {"onecycle", plain<o::OneCycleLR>(std::vector<double>{1.0, 0.5}, o::OneCycleLROptions{.total_steps = 30})},
      {"onecycle_linear_three_phase",
       plain<o::OneCycleLR>(1.0, o::OneCycleLROptions{.epochs = 4, .steps_per_epoch = 8, .pct_start = 0.25,
                                                      .anneal_strategy = "linear", .three_phase = true})},
      {"cyclic", plain<o::CyclicLR>(0.01, 0.1, o::CyclicLROptions{.step_size_up = 4})},
      {"cyclic_triangular2", plain<o::CyclicLR>(std::vector<double>{0.01, 0.02}, std::vector<double>{0.1},
                                                o::CyclicLROptions{.step_size_up = 3, .step_size_down = 5,
                                                                   .mode = "triangular2"})},
      {"cyclic_exp_range", plain<o::CyclicLR>(0.01, 0.1,
                                              o::CyclicLROptions{.step_size_up = 4, .mode = "exp_range", .gamma = 0.9,
                                                                 .cycle_momentum = false})},
  };
  cases["cyclic_scale_fn"] = plain<o::CyclicLR>(
      0.01, 0.1,
      o::CyclicLROptions{.step_size_up = 3, .scale_fn = [](double x) { return 1 / (x + 1); }, .scale_mode = "iterations"});
  cases["polynomial"] = plain<o::PolynomialLR>(int64_t{12}, 2.0);
  cases["chained"] = {false, [](Optimizer& opt, std::function<void(double)>& step) {
                        auto constant = std::make_shared<o::ConstantLR>(opt, 0.5, 4);
                        auto exponential = std::make_shared<o::ExponentialLR>(opt, 0.9);
                        auto s = std::make_shared<o::ChainedScheduler>(
                            std::vector<o::LRScheduler*>{constant.get(), exponential.get()});
                        step = [s, constant, exponential](double) { s->step(); };
                        return std::shared_ptr<void>(s);
                      }};
  cases["onecycle_adam"] = plain<o::OneCycleLR>(
      0.01, o::OneCycleLROptions{.total_steps = 30, .base_momentum = 0.8, .max_momentum = 0.9, .div_factor = 10.0});
  cases["onecycle_adam"].adam = true;
  auto plateau = [](o::ReduceLROnPlateauOptions options) {
    return SchedulerCase{false, [=](Optimizer& opt, std::function<void(double)>& step) {
                           auto s = std::make_shared<o::ReduceLROnPlateau>(opt, options);
                           step = [s](double metric) { s->step(metric); };
                           return std::shared_ptr<void>(s);
                         }};
  };
  cases["plateau"] = plateau({.factor = 0.5, .patience = 2, .cooldown = 1, .min_lr = {0.01, 0.002}});
  cases["plateau_max_abs"] =
      plateau({.mode = "max", .factor = 0.3, .patience = 1, .threshold = 0.1, .threshold_mode = "abs"});
  cases["sequential"] = {false, [](Optimizer& opt, std::function<void(double)>& step) {
                           auto warmup = std::make_shared<o::LinearLR>(opt, 0.1, 1.0, 5);
                           auto cosine = std::make_shared<o::CosineAnnealingLR>(opt, 10);
                           auto s = std::make_shared<o::SequentialLR>(
                               opt, std::vector<o::LRScheduler*>{warmup.get(), cosine.get()}, std::vector<int64_t>{5});
                           step = [s, warmup, cosine](double) { s->step(); };
                           return std::shared_ptr<void>(s);
                         }};
  cases["sequential_three"] = {false, [](Optimizer& opt, std::function<void(double)>& step) {
                                 auto constant = std::make_shared<o::ConstantLR>(opt, 0.5, 3);
                                 auto exponential = std::make_shared<o::ExponentialLR>(opt, 0.9);
                                 auto step_lr = std::make_shared<o::StepLR>(opt, 3, 0.5);
                                 auto s = std::make_shared<o::SequentialLR>(
                                     opt, std::vector<o::LRScheduler*>{constant.get(), exponential.get(), step_lr.get()},
                                     std::vector<int64_t>{4, 10});
                                 step = [s, constant, exponential, step_lr](double) { s->step(); };
                                 return std::shared_ptr<void>(s);
                               }};
  return cases;
}

}  // namespace

// Exact: the rates are double arithmetic in the same order as PyTorch's Python.
TEST_CASE("every scheduler gives PyTorch's rates and momenta over 30 epochs, bit for bit, on two groups") {
  const auto records = golden::load("optim.txt");
  const auto cases = scheduler_cases();
  size_t seen = 0;
  for (const auto& r : records) {
    if (!cases.count(r.name)) continue;
    ++seen;
    SECTION(r.name) {
      const SchedulerCase& c = cases.at(r.name);
      auto a = ts::zeros({2}).requires_grad_(), b = ts::zeros({3}).requires_grad_();
      std::unique_ptr<Optimizer> opt;
      if (c.adam) {
        ts::optim::AdamGroup ga, gb;
        ga.params = {a}, gb.params = {b}, gb.lr = 0.05;
        opt = std::make_unique<ts::optim::Adam>(std::vector{ga, gb}, ts::optim::AdamOptions{.lr = 0.1});
      } else {
        ts::optim::SGDGroup ga, gb;
        ga.params = {a}, gb.params = {b}, gb.lr = 0.05;
        opt = std::make_unique<ts::optim::SGD>(std::vector{ga, gb}, ts::optim::SGDOptions{.lr = 0.1, .momentum = 0.9});
      }
      std::function<void(double)> step;
      const auto keep = c.make(*opt, step);
      const std::vector<std::vector<double>> lrs = {golden::values<double>(r.get("lrs0")),
                                                    golden::values<double>(r.get("lrs1"))};
      const std::vector<std::vector<double>> moms = {golden::values<double>(r.get("moms0")),
                                                     golden::values<double>(r.get("moms1"))};
      const auto metrics = r.has("metrics") ? golden::values<double>(r.get("metrics")) : std::vector<double>(30);
      REQUIRE(lrs[0].size() == 30);
      for (size_t epoch = 0; epoch < 30; ++epoch) {
        for (size_t g = 0; g < 2; ++g) {
          INFO(r.name << " epoch " << epoch << " group " << g);
          CHECK(opt->lr(g) == lrs[g][epoch]);
          CHECK(*opt->option(g, c.adam ? "beta1" : "momentum") == moms[g][epoch]);
        }
        opt->step();
        step(metrics[epoch]);
      }
    }
  }
  CHECK(seen == cases.size());
}

TEST_CASE("schedulers: a group added after the scheduler moves as in PyTorch") {
  const auto cases = scheduler_cases();
  size_t seen = 0;
  for (const auto& r : golden::load("optim.txt")) {
    if (r.name.rfind("added_group_", 0) != 0) continue;
    ++seen;
    const std::string name = r.name.substr(12);
    INFO(name);
    auto a = ts::zeros({2}).requires_grad_(), b = ts::zeros({3}).requires_grad_();
    ts::optim::SGD opt({a}, {.lr = 0.1, .momentum = 0.9});
    std::function<void(double)> step;
    const auto keep = cases.at(name).make(opt, step);
    ts::optim::SGDGroup added;
    added.params = {b}, added.lr = 0.3;
    opt.add_param_group(added);
    const std::vector<std::vector<double>> lrs = {golden::values<double>(r.get("lrs0")),
                                                  golden::values<double>(r.get("lrs1"))};
    for (size_t epoch = 0; epoch < lrs[0].size(); ++epoch) {
      for (size_t g = 0; g < 2; ++g) {
        INFO("epoch " << epoch << " group " << g);
        CHECK(opt.lr(g) == lrs[g][epoch]);
      }
      opt.step();
      step(0);
    }
  }
  CHECK(seen == 10);
  // OneCycleLR and ReduceLROnPlateau keep lists the new group has no entry in (PyTorch: KeyError, IndexError)
  auto a = ts::zeros({2}).requires_grad_(), b = ts::zeros({3}).requires_grad_();
  ts::optim::SGD opt({a}, {.lr = 0.1, .momentum = 0.9});
  ts::optim::OneCycleLR one_cycle(opt, 0.5, {.total_steps = 10});
  ts::optim::ReduceLROnPlateau plateau(opt, {.patience = 0});
  ts::optim::SGDGroup added;
  added.params = {b};
  opt.add_param_group(added);
  CHECK_THROWS_WITH(one_cycle.step(), Catch::Contains("OneCycleLR: a parameter group was added"));
  plateau.step(1.0);
  CHECK_THROWS_WITH(plateau.step(2.0), Catch::Contains("ReduceLROnPlateau: list index out of range"));
}

TEST_CASE("schedulers: a factor of 0 that a later epoch divides by raises, as Python's ZeroDivisionError") {
  auto a = ts::zeros({2}).requires_grad_();
  ts::optim::SGD opt({a}, {.lr = 0.1});
  ts::optim::ConstantLR constant(opt, 0.0, 2);  // torch: raises at the second step
  constant.step();
  CHECK_THROWS_WITH(constant.step(), Catch::Contains("ConstantLR: float division by zero"));
  ts::optim::SGD opt2({a}, {.lr = 0.1});
  ts::optim::LinearLR linear(opt2, 0.0, 1.0, 3);  // torch: raises at the first step
  CHECK_THROWS_WITH(linear.step(), Catch::Contains("LinearLR: float division by zero"));
}

TEST_CASE("optimizers: invalid hyperparameters raise PyTorch's messages") {
  namespace o = ts::optim;
  const std::vector<Tensor<float>> p = {ts::zeros({1}).requires_grad_()};
  const std::map<std::string, std::function<void()>> cases = {
      {"sgd_lr", [&] { o::SGD(p, {.lr = -1.0}); }},
      {"sgd_momentum", [&] { o::SGD(p, {.lr = 0.1, .momentum = -0.5}); }},
      {"sgd_weight_decay", [&] { o::SGD(p, {.lr = 0.1, .weight_decay = -0.1}); }},
      {"sgd_nesterov", [&] { o::SGD(p, {.lr = 0.1, .nesterov = true}); }},
      {"adam_lr", [&] { o::Adam(p, {.lr = -1.0}); }},
      {"adam_eps", [&] { o::Adam(p, {.eps = -1e-08}); }},
      {"adam_beta1", [&] { o::Adam(p, {.beta1 = 1.5}); }},
      {"adam_beta2", [&] { o::Adam(p, {.beta2 = -0.25}); }},
      {"adam_weight_decay", [&] { o::Adam(p, {.weight_decay = -0.5}); }},
      {"adamw_beta2", [&] { o::AdamW(p, {.beta2 = 1.0}); }},
      {"rmsprop_alpha", [&] { o::RMSprop(p, {.alpha = -0.5}); }},
      {"rmsprop_momentum", [&] { o::RMSprop(p, {.momentum = -0.5}); }},
      {"adagrad_lr_decay", [&] { o::Adagrad(p, {.lr_decay = -0.5}); }},
      {"adagrad_initial_accumulator_value", [&] { o::Adagrad(p, {.initial_accumulator_value = -0.5}); }},
      {"adadelta_rho", [&] { o::Adadelta(p, {.rho = 1.5}); }},
      {"adamax_eps", [&] { o::Adamax(p, {.eps = -1e-05}); }},
      {"nadam_momentum_decay", [&] { o::NAdam(p, {.momentum_decay = -0.5}); }},
      {"radam_lr", [&] { o::RAdam(p, {.lr = -0.001}); }},
      {"sgd_no_lr", [&] { o::SGD(p, {}); }},
      {"sgd_added_group_no_lr",
       [&] {
         o::SGD opt(std::vector<o::SGDGroup>{{.params = {p[0]}, .lr = 0.3}});
         CHECK(opt.param_groups()[0].options.lr == 0.3);  // a group's own rate is enough
         o::SGDGroup added;
         added.params = {ts::zeros({1}).requires_grad_()};
         opt.add_param_group(added);
       }},
  };
  size_t seen = 0;
  for (const auto& r : golden::load("optim.txt")) {
    if (r.name.rfind("error_", 0) != 0) continue;
    ++seen;
    const std::string name = r.name.substr(6);
    INFO(name);
    REQUIRE(cases.count(name));
    CHECK_THROWS_WITH(cases.at(name)(), Catch::EndsWith(": " + r.get("message")));
  }
  CHECK(seen == cases.size());
}

TEST_CASE("optimizers: parameter groups") {
  auto a = ts::ones({2}, {.requires_grad = true}), b = ts::ones({2}, {.requires_grad = true});
  ts::optim::SGDGroup second;
  second.params = {b}, second.lr = 0.5;
  ts::optim::SGD opt({ts::optim::SGDGroup{.params = {a}}, second}, {.lr = 0.1, .momentum = 0.9});
  REQUIRE(opt.param_groups().size() == 2);
  CHECK(opt.param_groups()[0].options.lr == 0.1);
  CHECK(opt.param_groups()[1].options.lr == 0.5);
  CHECK(opt.param_groups()[1].options.momentum == 0.9);  // unset: the default
  (a.sum() + b.sum()).backward();
  opt.step();
  CHECK(a.to_vector() == std::vector<float>{0.9f, 0.9f});
  CHECK(b.to_vector() == std::vector<float>{0.5f, 0.5f});
  opt.param_groups()[1].options.lr = 0.25;  // writable, as PyTorch's group["lr"]
  CHECK(opt.lr(1) == 0.25);
  opt.set_lr(0.01);
  CHECK(opt.lr(0) == 0.01);
  CHECK(opt.lr(1) == 0.01);

  auto c = ts::ones({3}, {.requires_grad = true});
  ts::optim::SGDGroup third;
  third.params = {c}, third.weight_decay = 0.1;
  opt.add_param_group(third);
  CHECK(opt.num_param_groups() == 3);
  CHECK(opt.param_groups()[2].options.lr == 0.1);  // the optimizer's default, not the changed rates
  CHECK(opt.parameters().size() == 3);
  CHECK_THROWS_WITH(opt.add_param_group(third), Catch::Contains("some parameters appear in more than one parameter group"));
  CHECK_THROWS_WITH(ts::optim::Adam(std::vector<ts::optim::AdamGroup>{}),
                    Catch::Contains("optimizer got an empty parameter list"));
  CHECK(opt.option(0, "beta1") == nullptr);
  ts::optim::SGD inline_groups(std::vector<ts::optim::SGDGroup>{{.params = {c}}, {.params = {a, b}, .lr = 0.01}},
                               {.lr = 0.1});
  CHECK(inline_groups.lr(1) == 0.01);

  // Schedulers act on every group.
  ts::optim::StepLR sched(opt, 1, 0.5);
  sched.step();
  CHECK(sched.get_last_lr() == std::vector<double>{0.005, 0.005, 0.05});

  // A mismatched state_dict is refused.
  ts::optim::SGD other({a}, {.lr = 0.1});
  CHECK_THROWS_WITH(other.load_state_dict(opt.state_dict()),
                    Catch::Contains("loaded state dict has a different number of parameter groups"));
}

TEST_CASE("optimizers: load_state_dict casts state to the parameter's dtype, as PyTorch") {
  // State saved from float parameters, loaded for float64 ones: exp_avg and exp_avg_sq become
  // float64 copies of the same values; options saved as float64, step counts of any dtype load.
  auto a = ts::linspace(-1.0, 1.0, 6).requires_grad_();
  ts::optim::Adam saver({a}, {.lr = 0.05});
  a.set_grad((a * a - 0.5f).detach());
  saver.step();
  auto saved = saver.state_dict();
  const auto exp_avg = saved.at("state.0.exp_avg");
  CHECK(exp_avg.dtype() == ts::DType::Float32);
  saved["state.0.step"] = ts::tensor<int64_t>({1}).reshape({});
  saved["param_groups.0.lr"] = ts::tensor<float>({0.25f}).reshape({});

  auto b = ts::linspace(-1.0, 1.0, 6).to<double>().requires_grad_();
  ts::optim::Adam loader({b}, {.lr = 0.5});
  loader.load_state_dict(saved);
  CHECK(loader.lr() == 0.25);
  const auto loaded = loader.state_dict();
  const auto loaded_avg = loaded.at("state.0.exp_avg");
  REQUIRE(loaded_avg.dtype() == ts::DType::Float64);
  CHECK(loaded_avg.as<double>().to_vector() == exp_avg.to<double>().to_vector());
  CHECK(loaded_avg.impl_ptr() != exp_avg.impl_ptr());
  CHECK(loaded.at("state.0.step").to<double>().item() == 1.0);

  // Loaded into parameters of the same dtype, the state is a copy, not the saved tensor.
  ts::optim::Adam same({a}, {.lr = 0.5});
  same.load_state_dict(saver.state_dict());
  same.state_dict().at("state.0.exp_avg").as<float>().fill_(7.0f);
  CHECK(saver.state_dict().at("state.0.exp_avg").as<float>().to_vector() == exp_avg.as<float>().to_vector());

  auto bad = saved;
  bad["state.0.exp_avg"] = ts::zeros<int64_t>({6});
  CHECK_THROWS_WITH(loader.load_state_dict(bad), "Adam: load_state_dict: \"state.0.exp_avg\" has dtype torch.int64, but an "
                                                 "optimizer's state tensors are floating");
  bad = saved;
  bad["param_groups.0.lr"] = ts::zeros({2});
  CHECK_THROWS_WITH(loader.load_state_dict(bad), "Adam: load_state_dict: expected a one-element tensor, got shape [2]");
}

TEST_CASE("schedulers: state_dict resumes the schedule") {
  auto run = [](bool resume) {
    auto p = ts::zeros({1}).requires_grad_();
    ts::optim::SGD opt({p}, {.lr = 0.1});
    ts::optim::CosineAnnealingWarmRestarts sched(opt, 3, 2);
    std::vector<double> lrs;
    for (int e = 0; e < 5; ++e) sched.step();
    if (resume) {
      const auto saved = sched.state_dict(), saved_opt = opt.state_dict();
      ts::optim::SGD opt2({p}, {.lr = 0.1});
      ts::optim::CosineAnnealingWarmRestarts sched2(opt2, 3, 2);
      opt2.load_state_dict(saved_opt);
      sched2.load_state_dict(saved);
      for (int e = 0; e < 6; ++e) sched2.step(), lrs.push_back(opt2.lr());
      CHECK(sched2.last_epoch() == 11);
    } else {
      for (int e = 0; e < 6; ++e) sched.step(), lrs.push_back(opt.lr());
    }
    return lrs;
  };
  CHECK(run(true) == run(false));
}

TEST_CASE("schedulers: invalid arguments raise PyTorch's messages") {
  namespace o = ts::optim;
  auto a = ts::zeros({2}).requires_grad_(), b = ts::zeros({3}).requires_grad_();
  auto sgd = [&] {
    o::SGDGroup ga, gb;
    ga.params = {a}, gb.params = {b}, gb.lr = 0.05;
    return o::SGD(std::vector{ga, gb}, {.lr = 0.1, .momentum = 0.9});
  };
  const std::map<std::string, std::function<void()>> cases = {
      {"lambda_count", [&] { auto opt = sgd(); o::LambdaLR(opt, std::vector<o::LambdaLR::Lambda>{[](int64_t) { return 1.0; }}); }},
      {"constant_factor", [&] { auto opt = sgd(); o::ConstantLR(opt, 1.5); }},
      {"linear_start", [&] { auto opt = sgd(); o::LinearLR(opt, 1.5); }},
      {"linear_end", [&] { auto opt = sgd(); o::LinearLR(opt, 1.0 / 3, -0.5); }},
      {"warm_restarts_t0", [&] { auto opt = sgd(); o::CosineAnnealingWarmRestarts(opt, 0); }},
      {"warm_restarts_tmult", [&] { auto opt = sgd(); o::CosineAnnealingWarmRestarts(opt, 3, 0); }},
      {"onecycle_total", [&] { auto opt = sgd(); o::OneCycleLR(opt, 0.1); }},
      {"onecycle_anneal",
       [&] { auto opt = sgd(); o::OneCycleLR(opt, 0.1, {.total_steps = 10, .anneal_strategy = "quad"}); }},
      {"onecycle_max_lr", [&] { auto opt = sgd(); o::OneCycleLR(opt, std::vector{0.1, 0.2, 0.3}, {.total_steps = 10}); }},
      {"onecycle_too_many_steps",
       [&] {
         auto opt = sgd();
         o::OneCycleLR s(opt, 0.1, {.total_steps = 2});
         for (int i = 0; i < 3; ++i) opt.step(), s.step();
       }},
      {"cyclic_mode", [&] { auto opt = sgd(); o::CyclicLR(opt, 0.01, 0.1, {.mode = "square"}); }},
      {"cyclic_momentum", [&] { o::Adam opt({a}); o::CyclicLR(opt, 0.01, 0.1); }},
      {"plateau_factor", [&] { auto opt = sgd(); o::ReduceLROnPlateau(opt, {.factor = 1.0}); }},
      {"plateau_mode", [&] { auto opt = sgd(); o::ReduceLROnPlateau(opt, {.mode = "median"}); }},
      {"plateau_threshold_mode", [&] { auto opt = sgd(); o::ReduceLROnPlateau(opt, {.threshold_mode = "relative"}); }},
      {"plateau_min_lr", [&] { auto opt = sgd(); o::ReduceLROnPlateau(opt, {.min_lr = {0.1, 0.2, 0.3}}); }},
  };
  size_t seen = 0;
  for (const auto& r : golden::load("optim.txt")) {
    if (r.name.rfind("scheduler_error_", 0) != 0) continue;
    ++seen;
    const std::string name = r.name.substr(16);
    INFO(name);
    REQUIRE(cases.count(name));
    CHECK_THROWS_WITH(cases.at(name)(), Catch::EndsWith(": " + r.get("message")));
  }
  CHECK(seen == cases.size());
}

}  // namespace test_optim

TEST_CASE("optimizers: Adagrad has its state before the first step, as PyTorch") {
  const golden::Record* r = nullptr;
  static const std::vector<golden::Record> records = golden::load("optim.txt");
  for (const auto& record : records)
    if (record.name == "adagrad_initial_state") r = &record;
  REQUIRE(r);
  auto a = ts::zeros<float>({2}).requires_grad_();
  auto b = ts::zeros<double>({3}).requires_grad_();
  ts::optim::AdagradGroup second;
  second.params = {b}, second.initial_accumulator_value = 0.5;  // PyTorch starts the sum at the optimizer's value
  ts::optim::Adagrad opt(std::vector{ts::optim::AdagradGroup{.params = {a}}, second}, {.initial_accumulator_value = 0.3});
  const auto state = opt.state_dict();
  for (int i = 0; i < 2; ++i) {
    const std::string at = "state." + std::to_string(i) + ".";
    for (const std::string& key : golden::tokens(r->get("keys" + std::to_string(i)))) CHECK(state.count(at + key));
    CHECK(state.at(at + "step").to<double>().item() == golden::values<double>(r->get("step" + std::to_string(i)))[0]);
    CHECK(state.at(at + "sum").to<double>().to_vector() == golden::values<double>(r->get("sum" + std::to_string(i))));
    CHECK(ts::dtype_name(state.at(at + "sum").dtype()) == r->get("sum_dtype" + std::to_string(i)));
  }
}
