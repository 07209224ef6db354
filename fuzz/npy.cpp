// libFuzzer target: parse arbitrary bytes as a .npy file. Any input may throw ts::Error; none
// may crash, hang or touch memory outside the input (run under AddressSanitizer).
// Differential check: load_npy on a file (header first, data read straight into the tensor)
// and parse_npy on the buffer agree on every input.
// The loaders, printing and what their ops record; not nn/optim/data, to keep the build short.
#include <tessera/io/npy.hpp>
#include <tessera/io/print.hpp>
#include <tessera/io/safetensors.hpp>
#include <tessera/autograd/formulas.hpp>
#include <tessera/autograd/engine.hpp>

#include <optional>

#include "util.hpp"

namespace ts = tessera;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::optional<ts::AnyTensor> from_buffer, from_file;
  try {
    from_buffer = ts::detail::parse_npy(reinterpret_cast<const char*>(data), size, "fuzz input");
    (void)ts::to_string(*from_buffer);
  } catch (const ts::Error&) {
  }
  try {
    from_file = ts::load_npy(fuzz::as_file(data, size));
  } catch (const ts::Error&) {
  }
  if (from_buffer.has_value() != from_file.has_value() || (from_buffer && !fuzz::same(*from_buffer, *from_file)))
    __builtin_trap();
  return 0;
}
