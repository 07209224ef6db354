// Uses views, autograd and printing through the installed or fetched tessera, and checks the
// text it prints against PyTorch's. tessera::tessera must give it compiled mode with no
// configuration of its own (Note [Compiled mode]).
#include <tessera/tessera.hpp>

#ifndef TESSERA_COMPILED
#error "tessera::tessera did not give its user compiled mode"
#endif

#include <iostream>
#include <sstream>

int main() {
  auto x = ts::arange(6.0).reshape({2, 3}).requires_grad_();
  auto y = (x.t() * x.t()).sum();
  y.backward();
  std::ostringstream out;
  out << x.t()[1] << "\n" << y << "\n" << x.grad() << "\n";
  const std::string expected =
      "tensor([1., 4.], grad_fn=<SelectBackward0>)\n"
      "tensor(55., grad_fn=<SumBackward0>)\n"
      "tensor([[ 0.,  2.,  4.],\n"
      "        [ 6.,  8., 10.]])\n";
  std::cout << out.str();
  if (out.str() != expected) {
    std::cerr << "consumer: unexpected output, expected:\n" << expected;
    return 1;
  }
  std::cout << "consumer: tessera " << TESSERA_VERSION_MAJOR << "." << TESSERA_VERSION_MINOR << "."
            << TESSERA_VERSION_PATCH << " works\n";
  return 0;
}
