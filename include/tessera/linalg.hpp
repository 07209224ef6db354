#pragma once
// ts::linalg (solvers and factorizations, several on Eigen's), an opt-in include: tessera.hpp does not pull
// in Eigen's solver headers, which cost seconds per translation unit (Note [linalg is opt-in]).

#include "tessera.hpp"
#include "ops/linalg_decomp.hpp"
