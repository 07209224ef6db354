// libFuzzer target: parse arbitrary bytes as a safetensors file, both as a mapped file (tensors
// viewing the input) and as copies. Any input may throw ts::Error; none may crash, hang or
// touch memory outside the input (run under AddressSanitizer).
// The loaders, printing and what their ops record; not nn/optim/data, to keep the build short.
#include <tessera/io/npy.hpp>
#include <tessera/io/print.hpp>
#include <tessera/io/safetensors.hpp>
#include <tessera/autograd/formulas.hpp>
#include <tessera/autograd/engine.hpp>

namespace ts = tessera;

#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A private copy stands for the mapping, so views that outlive the input stay valid.
  std::shared_ptr<char[]> copy(new char[size + 1]);
  std::memcpy(copy.get(), data, size);
  for (const auto& owner : {std::shared_ptr<void>(copy, copy.get()), std::shared_ptr<void>()}) {
    try {
      std::map<std::string, std::string> metadata;
      for (const auto& [name, t] : ts::detail::parse_safetensors(copy.get(), size, owner, &metadata))
        (void)ts::to_string(t);
    } catch (const ts::Error&) {
    }
  }
  return 0;
}
