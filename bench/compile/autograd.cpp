// A 20-line autograd program: fit a tanh layer by gradient descent, by hand.
#include <tessera/tessera.hpp>
#include <iostream>
int main() {
  ts::manual_seed(0);
  auto w = ts::randn({3, 4}).requires_grad_();
  auto b = ts::zeros({4}).requires_grad_();
  auto x = ts::randn({8, 3});
  auto y = ts::randn({8, 4});
  for (int step = 0; step < 10; ++step) {
    auto pred = (x.matmul(w) + b).tanh();
    auto loss = (pred - y).pow(2).mean();
    loss.backward();
    {
      ts::NoGradGuard no_grad;
      w.sub_(w.grad() * 0.1f);
      b.sub_(b.grad() * 0.1f);
    }
    w.grad().zero_();
    b.grad().zero_();
    std::cout << "step " << step << " loss " << loss.item() << "\n";
  }
}
