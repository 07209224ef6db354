// Must not compile: PyTorch's lerp does not promote ("expected dtype float for `end` but got
// dtype double"), so tessera refuses start and end of two dtypes too.
#include <tessera/tessera.hpp>
int main() { return static_cast<int>(ts::lerp(ts::ones({2}), ts::ones({2}).to<double>(), 0.5).numel()); }
