#pragma once
// Compiled mode: the template instantiations programs use most, compiled once into the
// library that the CMake target tessera::tessera builds, and declared here so that a program
// that includes the umbrella header does not compile them again.

// Note [Compiled mode]
// tessera is all headers and templates, so a program compiles every kernel, derivative formula
// and layer it uses, at the program's own cost. In compiled mode (TESSERA_COMPILED, which the
// tessera::tessera target defines for its users unless TESSERA_HEADER_ONLY is set) the umbrella
// header ends with explicit instantiation declarations (`extern template`) of the instantiations
// in compiled/instances.inc: the program's compiler then only parses those templates, and the
// calls link to the library, whose one translation unit (src/instances.cpp) holds the explicit
// instantiation definitions. tools/gen_instances.py writes the list from what the examples and
// bench/compile's programs instantiate. Anything not in the list is instantiated by the program
// itself, as in header-only mode, so the list can only make a program compile faster, never fail
// to link; a list entry that no longer matches a template fails the library's build.
// An explicit instantiation declaration does not stop a program from instantiating a function
// whose return type is deduced (`auto`: the program needs its body to know the type) nor one
// defined inline, so the templates that programs call most (binary, unary, arange, where, ...)
// spell their return types, and most of Tensor<T>'s methods are defined outside the class.
// Without TESSERA_COMPILED (the bare compiler line) nothing here is seen: header-only mode.
// Declarations only: they must follow every template they name, so this is the umbrella
// header's last include.

#include "tessera.hpp"

#if !defined(__GLIBCXX__) || !defined(__linux__)
#error "tessera's compiled mode (TESSERA_COMPILED) is made for 64-bit Linux with libstdc++; elsewhere use it header-only"
#endif
static_assert(std::is_same_v<std::int64_t, long>, "compiled/instances.inc names int64_t as long (64-bit Linux)");

#define TS_INSTANCE extern template
namespace tessera {
#include "compiled/instances.inc"
}  // namespace tessera
#undef TS_INSTANCE
