// The compiled library: explicit instantiation definitions of what compiled mode declares
// (Note [Compiled mode] in include/tessera/compiled.hpp).
#define TESSERA_COMPILED_LIBRARY
#include <tessera/tessera.hpp>

#define TS_INSTANCE template
namespace tessera {
#include <tessera/compiled/instances.inc>
}  // namespace tessera
#undef TS_INSTANCE
