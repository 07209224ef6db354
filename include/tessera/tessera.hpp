#pragma once
// The umbrella header: everything in API.md. Include this and nothing else.

#include "core/any_tensor.hpp"
#include "core/named_tensors.hpp"
#include "core/config.hpp"
#include "core/device.hpp"
#include "core/dtype.hpp"
#include "core/shape.hpp"
#include "core/storage.hpp"
#include "core/tensor.hpp"
#include "parallel/thread_pool.hpp"
#include "backend/cpu/allocator.hpp"
#include "backend/dispatch.hpp"
#include "backend/cpu/triangular.hpp"  // for ts::linalg: here, while the SIMD macros are defined
#include "backend/metal/metal.hpp"
#include "backend/vulkan/vulkan.hpp"
#include "ops/combine.hpp"
#include "ops/copy.hpp"
#include "ops/creation.hpp"
#include "ops/cumulative.hpp"
#include "ops/distance.hpp"
#include "ops/elementwise.hpp"
#include "ops/index_update.hpp"
#include "ops/indexing.hpp"
#include "ops/integration.hpp"
#include "ops/join.hpp"
#include "ops/linalg.hpp"
#include "ops/membership.hpp"
#include "ops/pointwise.hpp"
#include "ops/quantile.hpp"
#include "ops/rearrange.hpp"
#include "ops/reduce.hpp"
#include "ops/selection.hpp"
#include "ops/sort.hpp"
#include "ops/statistics.hpp"
#include "ops/view.hpp"
#include "io/eigen.hpp"
#include "io/npy.hpp"
#include "io/print.hpp"
#include "io/safetensors.hpp"
#include "random/distributions.hpp"
#include "random/counts.hpp"
#include "autograd/formulas.hpp"
#include "autograd/engine.hpp"
#include "autograd/gradcheck.hpp"
#include "autograd/function.hpp"
#include "nn/activation.hpp"
#include "nn/attention.hpp"
#include "nn/containers.hpp"
#include "nn/conv.hpp"
#include "nn/conv_transpose.hpp"
#include "nn/ctc_loss.hpp"
#include "nn/fold.hpp"
#include "nn/fractional_pooling.hpp"
#include "nn/functional.hpp"
#include "nn/grid_sample.hpp"
#include "nn/init.hpp"
#include "nn/layers.hpp"
#include "nn/loss.hpp"
#include "nn/loss_modules.hpp"
#include "nn/module.hpp"
#include "nn/normalization.hpp"
#include "nn/padding.hpp"
#include "nn/pooling.hpp"
#include "nn/recurrent.hpp"
#include "nn/transformer.hpp"
#include "nn/utils.hpp"
#include "nn/upsampling.hpp"
#include "optim/optimizer.hpp"
#include "optim/scheduler.hpp"
#include "data/idx.hpp"
#include "data/loader.hpp"
// In compiled mode, what the library compiled (Note [Compiled mode]); after every template it names.
#if defined(TESSERA_COMPILED) && !defined(TESSERA_COMPILED_LIBRARY)
#include "compiled.hpp"
#endif

/** `namespace ts = tessera;` is the alias the documentation uses. */
namespace ts = tessera;

// Helpers the headers above share, not API: only TS_CHECK and the TESSERA_VERSION_* macros
// stay defined for users.
#undef TS_TARGET_AVX512
#undef TS_TARGET_AVX2
#undef TS_HAS_X86_DISPATCH
#undef TESSERA_HAS_ZLIB
