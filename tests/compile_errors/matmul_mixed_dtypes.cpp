// Must not compile: PyTorch refuses a product of float32 and float64 ("expected scalar type
// Float but found Double"), so tessera does too (Note [Products need one dtype]).
#include <tessera/tessera.hpp>
int main() { return static_cast<int>(ts::matmul(ts::ones({2, 2}), ts::ones({2, 2}).to<double>()).numel()); }
