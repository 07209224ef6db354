#pragma once
// Errors a GPU kernel finds in tensor values (an index out of bounds), recorded on the device and
// thrown by the host at its next read of the queue, so that checking needs no wait.

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "../../core/device.hpp"
#include "../../iter/plan.hpp"
#include "../../parallel/mutex.hpp"

namespace tessera::gpu::detail {

using ::tessera::detail::LockGuard;
using ::tessera::detail::Mutex;

// Note [Deferred errors]
// An op whose arguments are valid only for some tensor values (gather's index, cross_entropy's
// targets) would have to wait for the GPU to check them on the host. Instead, as CUDA's
// device-side asserts do, a kernel checks them on the device and writes the first bad value into
// the device's status words (one small buffer per device, DeferredError below, zero when all is
// well): the kernel "index_check" (one workgroup, so that the first bad value in index order is
// the one reported, without atomics) writes only when the status is clear, so the first failed
// check in queue order is kept. The runtime reads the status after each wait for the queue (the
// next host access, synchronize(), a plan that runs on the host), clears it, and throws the
// ts::Error it describes, the op's own message followed by "(reported by vulkan:0 when the queue
// was next read)". The kernels that read the values clamp nothing and read nothing out of
// bounds: an element whose index is bad is left at zero (gather) or skipped (scatter). After the
// error the device works as before; the outputs of the failed op hold unspecified values.

/** The status words, as the kernels write them: `check` is an IndexCheck (0: no error), `op` the
 *  number deferred_op_id gave the op's name. */
struct DeferredError {
  uint32_t check = 0;
  uint32_t op = 0;
  uint32_t value_lo = 0, value_hi = 0;  // the bad value, int64
  uint32_t dim = 0;
  uint32_t size = 0;
  uint32_t pad[2] = {};
};
static_assert(sizeof(DeferredError) == 32);

/** Op names by number: the names are string literals of the ops, a few dozen at most. */
struct DeferredOps {
  Mutex mutex;
  std::vector<std::string> names;
  static DeferredOps& get() {
    static DeferredOps* ops = new DeferredOps;  // never destroyed: a device may report at exit
    return *ops;
  }
};

/** The number of `op` in the status words. */
inline uint32_t deferred_op_id(const char* op) {
  DeferredOps& ops = DeferredOps::get();
  LockGuard lock(ops.mutex);
  for (size_t i = 0; i < ops.names.size(); ++i)
    if (ops.names[i] == op) return static_cast<uint32_t>(i);
  ops.names.emplace_back(op);
  return static_cast<uint32_t>(ops.names.size() - 1);
}

/** The message of the error `status` records, reported by `device`. */
inline std::string deferred_error_message(const DeferredError& status, Device device) {
  std::string op = "?";
  {
    DeferredOps& ops = DeferredOps::get();
    LockGuard lock(ops.mutex);
    if (status.op < ops.names.size()) op = ops.names[status.op];
  }
  const int64_t value = static_cast<int64_t>(uint64_t{status.value_lo} | (uint64_t{status.value_hi} << 32));
  return ::tessera::detail::index_check_message(static_cast<::tessera::detail::IndexCheck>(status.check), op.c_str(),
                                                value, status.dim, status.size) +
         " (reported by " + device.str() + " when the queue was next read)";
}

}  // namespace tessera::gpu::detail
