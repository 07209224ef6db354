// optim/: SGD, Adam and AdamW follow PyTorch's trajectories on the same gradients
// (tests/golden/nn.txt), and zero_grad.

#include "golden.hpp"

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
  CHECK_THROWS_WITH(ts::optim::SGD({a * 2}), Catch::Contains("non-leaf"));
  CHECK_THROWS_WITH(ts::optim::SGD({a}, {.lr = 0.1, .nesterov = true}), Catch::Contains("Nesterov"));
  CHECK_THROWS_WITH(ts::optim::Adam({a}, {.beta1 = 1.5}), Catch::Contains("invalid"));
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
  for (const auto& [name, factory] : make) {
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
  CHECK(s.get_last_lr() == 0.1 * 0.1);
}
