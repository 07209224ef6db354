#pragma once
// The standard algorithms tessera uses (sort, stable_sort, reverse, upper_bound, clamp, ...),
// without the C++20 range algorithms where the standard library allows it.

// libstdc++'s <algorithm> also declares every std::ranges algorithm: a quarter of the parsing a
// hello-world adds to a program, for functions tessera never calls. Its classic algorithms have
// their own header there.
#if defined(__GLIBCXX__) && __has_include(<bits/stl_algo.h>)
#include <bits/stl_algo.h>
#else
#include <algorithm>
#endif
