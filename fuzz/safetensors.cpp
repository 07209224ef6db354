// libFuzzer target: parse arbitrary bytes as a safetensors file, both as a mapped file (tensors
// viewing the input) and as copies, and through load_safetensors on a file holding the input
// (mmap). Any input may throw ts::Error; none may crash, hang or touch memory outside the
// input (run under AddressSanitizer), and the three ways must agree.
// The loaders, printing and what their ops record; not nn/optim/data, to keep the build short.
#include <tessera/io/npy.hpp>
#include <tessera/io/print.hpp>
#include <tessera/io/safetensors.hpp>
#include <tessera/autograd/formulas.hpp>
#include <tessera/autograd/engine.hpp>

#include <cstring>
#include <optional>

#include "util.hpp"

namespace ts = tessera;

namespace {

using Loaded = std::optional<std::pair<std::map<std::string, ts::AnyTensor>, std::map<std::string, std::string>>>;

void require_same(const Loaded& a, const Loaded& b) {
  if (a.has_value() != b.has_value()) __builtin_trap();
  if (!a) return;
  if (a->second != b->second || a->first.size() != b->first.size()) __builtin_trap();
  for (const auto& [name, t] : a->first)
    if (!b->first.count(name) || !fuzz::same(t, b->first.at(name))) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A private copy stands for the mapping, so views that outlive the input stay valid.
  std::shared_ptr<char[]> copy(new char[size + 1]);
  std::memcpy(copy.get(), data, size);
  std::vector<Loaded> results;
  results.reserve(3);
  for (const auto& owner : {std::shared_ptr<void>(copy, copy.get()), std::shared_ptr<void>()}) {
    Loaded& loaded = results.emplace_back();
    try {
      std::map<std::string, std::string> metadata;
      auto named = ts::detail::parse_safetensors(copy.get(), size, owner, &metadata);
      for (const auto& [name, t] : named) (void)ts::to_string(t);
      loaded.emplace(std::move(named), std::move(metadata));
    } catch (const ts::Error&) {
    }
  }
  Loaded& from_file = results.emplace_back();
  try {
    std::map<std::string, std::string> metadata;
    auto named = ts::load_safetensors(fuzz::as_file(data, size), &metadata);
    from_file.emplace(std::move(named), std::move(metadata));
  } catch (const ts::Error&) {
  }
  require_same(results[0], results[1]);
  // An empty file is refused by name before it is mapped; the buffer parser refuses it too.
  require_same(results[0], results[2]);
  return 0;
}
