// Streams raw 32-bit words of a tessera Generator to stdout, for statistical test batteries:
//   ./build/tools/philox_stream [seed] | dieharder -g 200 -a

#include <tessera/tessera.hpp>

#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
  ts::Generator gen(argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 42);
  std::vector<uint32_t> buffer(1 << 16);
  for (;;) {
    const ts::GeneratorState start = gen.reserve(buffer.size() / 4);
    for (size_t b = 0; b < buffer.size() / 4; ++b) ts::detail::random_block(start, b, 0, &buffer[4 * b]);
    if (std::fwrite(buffer.data(), sizeof(uint32_t), buffer.size(), stdout) != buffer.size()) return 0;
  }
}
