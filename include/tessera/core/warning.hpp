#pragma once
// Warnings: PyTorch's deprecation warnings (TORCH_WARN), printed once per message.

#include <cstdio>
#include <string>
#include <vector>

#include "algorithm.hpp"
#include "../parallel/mutex.hpp"

namespace tessera {

/** Receives every warning; the default prints "UserWarning: <message>" to stderr. */
using WarningHandler = void (*)(const std::string& message);

namespace detail {
struct WarningState {
  Mutex mutex;
  std::vector<std::string> seen;  // a few distinct messages
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
  detail::LockGuard lock(state.mutex);
  WarningHandler previous = state.handler;
  state.handler = handler;
  return previous;
}

namespace detail {
/** Warns once per distinct message, as Python's default filter shows a warning once per place. */
inline void warn(const std::string& message) {
  auto& state = warning_state();
  detail::LockGuard lock(state.mutex);
  if (state.handler) return state.handler(message);
  if (std::find(state.seen.begin(), state.seen.end(), message) != state.seen.end()) return;
  state.seen.push_back(message);
  std::fprintf(stderr, "UserWarning: %s\n", message.c_str());
}
}  // namespace detail

}  // namespace tessera
