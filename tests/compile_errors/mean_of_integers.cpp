// Must not compile: PyTorch has no mean of an integral tensor.
#include <tessera/tessera.hpp>
int main() { return static_cast<int>(ts::arange(4).mean().numel()); }
