#pragma once
// The umbrella header: everything in API.md. Include this and nothing else.

#include "core/any_tensor.hpp"
#include "core/config.hpp"
#include "core/device.hpp"
#include "core/dtype.hpp"
#include "core/shape.hpp"
#include "core/storage.hpp"
#include "core/tensor.hpp"
#include "parallel/thread_pool.hpp"
#include "backend/metal/metal.hpp"
#include "ops/copy.hpp"
#include "ops/creation.hpp"
#include "ops/elementwise.hpp"
#include "ops/indexing.hpp"
#include "ops/join.hpp"
#include "ops/linalg.hpp"
#include "ops/reduce.hpp"
#include "ops/view.hpp"
#include "io/eigen.hpp"
#include "io/npy.hpp"
#include "io/print.hpp"
#include "io/safetensors.hpp"
#include "random/distributions.hpp"
#include "autograd/formulas.hpp"
#include "autograd/engine.hpp"
#include "autograd/gradcheck.hpp"

/** `namespace ts = tessera;` is the alias the documentation uses. */
namespace ts = tessera;
