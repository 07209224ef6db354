#pragma once
// Warnings: PyTorch's deprecation warnings (TORCH_WARN), printed once per message.

#include <cstdio>
#include <mutex>
#include <set>
#include <string>

namespace tessera {

/** Receives every warning; the default prints "UserWarning: <message>" to stderr. */
using WarningHandler = void (*)(const std::string& message);

namespace detail {
struct WarningState {
  std::mutex mutex;
  std::set<std::string> seen;
  WarningHandler handler = nullptr;
};
inline WarningState& warning_state() {
  static WarningState state;
  return state;
}
}  // namespace detail

/** Replaces the warning handler (nullptr restores printing to stderr); returns the previous one. */
inline WarningHandler set_warning_handler(WarningHandler handler) {
  auto& state = detail::warning_state();
  std::lock_guard lock(state.mutex);
  WarningHandler previous = state.handler;
  state.handler = handler;
  return previous;
}

namespace detail {
/** Warns once per distinct message, as Python's default filter shows a warning once per place. */
inline void warn(const std::string& message) {
  auto& state = warning_state();
  std::lock_guard lock(state.mutex);
  if (state.handler) return state.handler(message);
  if (!state.seen.insert(message).second) return;
  std::fprintf(stderr, "UserWarning: %s\n", message.c_str());
}
}  // namespace detail

}  // namespace tessera
