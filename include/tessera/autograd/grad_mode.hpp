#pragma once
// GradMode: whether ops record the tape on this thread; NoGradGuard turns it off for a scope.

namespace tessera {

/** Thread-local switch, as torch.is_grad_enabled(): ops record nodes only while it is on. */
class GradMode {
 public:
  static bool is_enabled() { return enabled(); }
  static void set_enabled(bool on) { enabled() = on; }

 private:
  static bool& enabled() {
    thread_local bool on = true;
    return on;
  }
};

/** Sets grad mode for a scope and restores the previous mode at its end. */
class AutoGradMode {
 public:
  explicit AutoGradMode(bool on) : previous_(GradMode::is_enabled()) { GradMode::set_enabled(on); }
  ~AutoGradMode() { GradMode::set_enabled(previous_); }
  AutoGradMode(const AutoGradMode&) = delete;
  AutoGradMode& operator=(const AutoGradMode&) = delete;

 private:
  bool previous_;
};

/** torch.no_grad(): nothing inside the scope is recorded. */
class NoGradGuard : public AutoGradMode {
 public:
  NoGradGuard() : AutoGradMode(false) {}
};

}  // namespace tessera
