// Autograd from several threads at once: graphs built on one shared leaf and run backwards
// concurrently must add every gradient into its .grad exactly once. tests/tsan.sh runs this
// program under ThreadSanitizer.

#include <atomic>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <tessera/tessera.hpp>

namespace test_autograd_threads {

using ts::Tensor;

namespace {

constexpr int kThreads = 4;
constexpr int kIterations = 2000;

// Runs body(thread index) on kThreads threads and waits for them all. An error escaping a thread
// would terminate the program; it is kept and reported instead.
template <class F>
std::vector<std::string> on_threads(F body) {
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      try {
        body(t);
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(t)] = e.what();
      }
    });
  for (auto& th : threads) th.join();
  return errors;
}

void check_no_errors(const std::vector<std::string>& errors) {
  for (const auto& e : errors) CHECK(e == "");
}

void check_all_equal(const Tensor<float>& grad, float expected) {
  REQUIRE(grad.defined());
  const std::vector<float> values = grad.to_vector();
  size_t wrong = 0;
  for (float v : values) wrong += v != expected;
  INFO("expected " << expected << " everywhere; element 0 is " << values[0]);
  CHECK(wrong == 0);
}

}  // namespace

TEST_CASE("backward from several threads accumulates every gradient into a shared leaf") {
  SECTION("each thread's graph has its own AccumulateGrad node, made and dropped each time") {
    auto w = ts::zeros<float>({16}, {.requires_grad = true});
    check_no_errors(on_threads([&](int) {
      for (int i = 0; i < kIterations; ++i) (w * 1.0f).sum().backward();
    }));
    check_all_equal(w.grad(), static_cast<float>(kThreads * kIterations));
  }
  SECTION("all threads share one AccumulateGrad node, kept alive by a graph of the main thread") {
    auto w = ts::zeros<float>({16}, {.requires_grad = true});
    const auto held = (w * 2.0f).sum();  // holds w's AccumulateGrad for the whole test
    check_no_errors(on_threads([&](int) {
      for (int i = 0; i < kIterations; ++i) (w * 1.0f).sum().backward();
    }));
    check_all_equal(w.grad(), static_cast<float>(kThreads * kIterations));
    held.backward();
    check_all_equal(w.grad(), static_cast<float>(kThreads * kIterations + 2));
  }
  SECTION("a leaf big enough for the kernels to use the thread pool") {
    auto w = ts::zeros<float>({1 << 16}, {.requires_grad = true});
    check_no_errors(on_threads([&](int) {
      for (int i = 0; i < 25; ++i) (w * 1.0f).sum().backward();
    }));
    check_all_equal(w.grad(), static_cast<float>(kThreads * 25));
  }
  SECTION("graphs that save the shared leaf, and a leaf used twice in one graph") {
    auto w = ts::ones<float>({16}, {.requires_grad = true});
    check_no_errors(on_threads([&](int t) {
      for (int i = 0; i < kIterations / 2; ++i) {
        if (t % 2 == 0) (w * w).sum().backward();  // 2 w = 2 per element
        else (w.exp() * 0.0f + w + w).sum().backward();  // 2 per element
      }
    }));
    check_all_equal(w.grad(), static_cast<float>(2 * kThreads * (kIterations / 2)));
  }
}

TEST_CASE("autograd::grad and backward on separate graphs run concurrently") {
  auto w = ts::ones<float>({8}, {.requires_grad = true});
  check_no_errors(on_threads([&](int t) {
    for (int i = 0; i < kIterations / 4; ++i) {
      if (t % 2 == 0) {
        const auto g = ts::autograd::grad((w * w * 3.0f).sum(), w);
        for (float v : g.to_vector())
          if (v != 6.0f) throw ts::Error("autograd::grad gave " + std::to_string(v));
      } else {
        (w * 0.5f).sum().backward();
      }
    }
  }));
  // Only backward() touches .grad: two threads of kIterations / 4 steps, each adding 0.5.
  check_all_equal(w.grad(), 2 * (kIterations / 4) * 0.5f);
}

TEST_CASE("backward from several threads through one retained graph") {
  auto w = ts::ones<float>({8}, {.requires_grad = true});
  const auto y = (w.exp() * w).sum();
  check_no_errors(on_threads([&](int) {
    for (int i = 0; i < kIterations / 20; ++i) y.backward({}, /*retain_graph=*/true);
  }));
  // d/dw (e^w w) = e^w (w + 1) = 2e at w = 1, added kThreads * kIterations / 20 times.
  const float once = ts::autograd::grad(y, w, {}, /*retain_graph=*/true).to_vector()[0];
  CHECK(once == Approx(2 * std::exp(1.0f)));
  const float expected = kThreads * (kIterations / 20) * once;
  for (float v : w.grad().to_vector()) CHECK(v == Approx(expected).epsilon(1e-5));
}

TEST_CASE("second derivatives from several threads through one retained graph") {
  // create_graph reattaches the saved outputs of the shared nodes to them on every thread.
  auto w = ts::tensor({0.5f, 1.0f, 2.0f}, {.requires_grad = true});
  const auto y = (w.exp() * w.tanh()).sum();
  // The second derivative's graph runs through y's nodes, so it too must retain the graph.
  auto second = [&] {
    const auto g = ts::autograd::grad(y, w, {}, /*retain_graph=*/true, /*create_graph=*/true);
    return ts::autograd::grad(g.sum(), w, {}, /*retain_graph=*/true).to_vector();
  };
  const auto expected = second();
  check_no_errors(on_threads([&](int) {
    for (int i = 0; i < kIterations / 20; ++i)
      if (second() != expected) throw ts::Error("second derivative differs between threads");
  }));
}

namespace {

struct Cube : ts::autograd::Function<Cube> {
  static Tensor<float> forward(ts::autograd::AutogradContext* ctx, const Tensor<float>& x) {
    ctx->save_for_backward(x);
    return x * x * x;
  }
  static Tensor<float> backward(ts::autograd::AutogradContext* ctx, const Tensor<float>& g) {
    const Tensor<float> x = ctx->saved_tensor<float>(0);
    return g * 3 * x * x;
  }
};

}  // namespace

TEST_CASE("custom functions and a leaf's hook from several threads") {
  auto w = ts::ones<float>({8}, {.requires_grad = true});
  std::atomic<int> calls{0};
  auto handle = w.register_hook([&calls](const Tensor<float>& g) {
    calls.fetch_add(1);
    return g * 2;
  });
  const auto shared = Cube::apply(w).sum();  // one custom node that every thread runs
  check_no_errors(on_threads([&](int) {
    for (int i = 0; i < kIterations / 20; ++i) {
      Cube::apply(w).sum().backward();
      shared.backward({}, /*retain_graph=*/true);
    }
  }));
  CHECK(calls.load() == 2 * kThreads * (kIterations / 20));
  // Each pass adds 3 w^2 = 3, doubled by the hook.
  check_all_equal(w.grad(), 6.0f * 2 * kThreads * (kIterations / 20));
  handle.remove();
}

// Hidden (run with `test_autograd_threads "[full]"`): the full-size run the quick sections scale down.
TEST_CASE("four threads, 20000 backward passes each, on one leaf", "[.][full]") {
  auto w = ts::zeros<float>({16}, {.requires_grad = true});
  check_no_errors(on_threads([&](int) {
    for (int i = 0; i < 20000; ++i) (w * 1.0f).sum().backward();
  }));
  check_all_equal(w.grad(), 80000.0f);
}

}  // namespace test_autograd_threads
