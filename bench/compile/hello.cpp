// The README's hello-world.
#include <tessera/tessera.hpp>
#include <iostream>

int main() {
  auto A = ts::tensor({{1, 2, 3}, {4, 5, 6}});
  std::cout << A.t() << "\n" << A.shape() << "\n";   // exactly what print() shows in PyTorch
  auto x = ts::arange(12.0).reshape({3, 4});
  std::cout << x.index({ts::Slice(1), ts::None, -1}) << "\n";
}
