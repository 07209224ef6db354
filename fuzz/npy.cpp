// libFuzzer target: parse arbitrary bytes as a .npy file. Any input may throw ts::Error; none
// may crash, hang or touch memory outside the input (run under AddressSanitizer).
#include <tessera/tessera.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const ts::AnyTensor t = ts::detail::parse_npy(reinterpret_cast<const char*>(data), size, "fuzz input");
    (void)ts::to_string(t);
  } catch (const ts::Error&) {
  }
  return 0;
}
