// Compiled into every executable that links tessera::tessera when the CMake option TESSERA_METAL
// is on: it registers the Metal backend and holds metal-cpp's implementation, which the other
// translation units then must not (CMake defines TESSERA_METAL_NO_PRIVATE_IMPLEMENTATION for
// them: Note [metal-cpp implementation] in backend/metal/backend.hpp).
#undef TESSERA_METAL_NO_PRIVATE_IMPLEMENTATION
#include <tessera/backend/metal/backend.hpp>
