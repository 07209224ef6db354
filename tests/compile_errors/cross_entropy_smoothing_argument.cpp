// Must not compile: cross_entropy's third argument is weight, as in PyTorch, not label smoothing.
#include <tessera/tessera.hpp>
int main() { return static_cast<int>(ts::nn::functional::cross_entropy(ts::ones({2, 3}), ts::tensor({0, 1}), 0.1).item()); }
