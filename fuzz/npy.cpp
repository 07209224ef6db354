// libFuzzer target: parse arbitrary bytes as a .npy file. Any input may throw ts::Error; none
// may crash, hang or touch memory outside the input (run under AddressSanitizer).
// The loaders, printing and what their ops record; not nn/optim/data, to keep the build short.
#include <tessera/io/npy.hpp>
#include <tessera/io/print.hpp>
#include <tessera/io/safetensors.hpp>
#include <tessera/autograd/formulas.hpp>
#include <tessera/autograd/engine.hpp>

namespace ts = tessera;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const ts::AnyTensor t = ts::detail::parse_npy(reinterpret_cast<const char*>(data), size, "fuzz input");
    (void)ts::to_string(t);
  } catch (const ts::Error&) {
  }
  return 0;
}
