// Part 3 of the compiled library: explicit instantiation definitions (Note [Compiled mode] in
// include/tessera/compiled.hpp).
#define TESSERA_COMPILED_LIBRARY
#include <tessera/tessera.hpp>

#define TS_INSTANCE template
namespace tessera {
#include <tessera/compiled/instances_3.inc>
}  // namespace tessera
#undef TS_INSTANCE
