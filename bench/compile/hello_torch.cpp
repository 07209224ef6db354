// The README's hello-world, written with LibTorch.
#include <torch/torch.h>
#include <iostream>

int main() {
  auto A = torch::tensor({{1, 2, 3}, {4, 5, 6}});
  std::cout << A.t() << "\n" << A.sizes() << "\n";
  auto x = torch::arange(12.0).reshape({3, 4});
  std::cout << x.index({torch::indexing::Slice(1), torch::indexing::None, -1}) << "\n";
}
