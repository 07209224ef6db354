// autograd.cpp, written with LibTorch.
#include <torch/torch.h>
#include <iostream>
int main() {
  torch::manual_seed(0);
  auto w = torch::randn({3, 4}).requires_grad_();
  auto b = torch::zeros({4}).requires_grad_();
  auto x = torch::randn({8, 3});
  auto y = torch::randn({8, 4});
  for (int step = 0; step < 10; ++step) {
    auto pred = (x.matmul(w) + b).tanh();
    auto loss = (pred - y).pow(2).mean();
    loss.backward();
    {
      torch::NoGradGuard no_grad;
      w.sub_(w.grad() * 0.1f);
      b.sub_(b.grad() * 0.1f);
    }
    w.grad().zero_();
    b.grad().zero_();
    std::cout << "step " << step << " loss " << loss.item<float>() << "\n";
  }
}
