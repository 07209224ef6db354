#pragma once
// Eigen 3.4's dense solvers, for the CPU kernels of ts::linalg.

// Eigen's own code is not clean under the warnings tessera's users compile with (-Wconversion,
// -Wshadow): keep them quiet for Eigen's lines only. The state is location-based, so it covers the
// templates instantiated later from these headers too.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wextra"
#endif
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <Eigen/SVD>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
