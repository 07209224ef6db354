// Must not compile: a module's parameters are Tensor<float> handles, so it cannot become float64.
#include <tessera/tessera.hpp>
int main() { ts::nn::Linear(2, 3).to<double>(); }
