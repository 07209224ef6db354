// Linear algebra against PyTorch: matmul's broadcasting rules, mm, bmm, mv, dot, outer, einsum;
// the GEMM kernel against a reference at awkward sizes and strides; errors.

#include <algorithm>

#include "elementwise_golden.hpp"

namespace test_linalg {

namespace {

template <class T>
void run(const golden::Record& r) {
  const std::string op = r.get("op");
  std::vector<ts::Tensor<T>> in;
  for (const char* prefix : {"a_", "b_", "c_"})
    if (r.has(std::string(prefix) + "dtype")) in.push_back(golden::operand<T>(r, prefix));
  auto check = [&](const auto& out) {
    if constexpr (ts::is_floating_v<T>) {
      INFO("case " << r.name << ": got " << out);
      REQUIRE(out.sizes() == ts::Shape(golden::ints(r.get("result_shape"))));
      REQUIRE(out.dtype() == golden::dtype(r.get("result_dtype")));
      const auto want = ts::from_vector(golden::values<T>(r.get("result")), out.sizes());
      const double tol = std::is_same_v<T, double> ? 1e-10 : std::is_same_v<T, float> ? 1e-4 : 5e-2;
      // Norm-wise: an entry that cancels (about 100 from terms of 1e8) depends on the order of
      // the sums and on fused multiply-adds, in PyTorch as here; each compiler rounds it its own way.
      if (out.numel() == 0) return;
      const double scale = std::max(1.0, want.template to<double>().abs().max().item());
      CHECK((out.template to<double>() - want.template to<double>()).abs().max().item() <= tol * scale);
    } else {
      golden::check(r, out);
    }
  };
  if (op == "matmul") return check(ts::matmul(in[0], in[1]));
  if (op == "mm") return check(ts::mm(in[0], in[1]));
  if (op == "mm_t") return check(in[0].t().mm(in[1].t()));
  if (op == "bmm") return check(in[0].bmm(in[1]));
  if (op == "mv") return check(in[0].mv(in[1]));
  if (op == "dot") return check(in[0].dot(in[1]));
  if (op == "outer") return check(in[0].outer(in[1]));
  if (op == "einsum") return check(ts::einsum(r.get("equation"), in));
  FAIL("unknown op " << op);
}

}  // namespace

TEST_CASE("linear algebra matches PyTorch", "[linalg]") {
  int checked = 0;
  for (const auto& r : golden::load("linalg.txt")) {
    ts::dispatch(golden::dtype(r.get("a_dtype")), [&]<class T>(std::type_identity<T>) {
      if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, int64_t> ||
                    std::is_same_v<T, int32_t> || std::is_same_v<T, ts::bfloat16>)
        run<T>(r);
      else FAIL("no dispatch for " << r.name);
    });
    ++checked;
  }
  CHECK(checked > 100);
}

TEST_CASE("GEMM is exact on integers and deterministic across thread counts", "[linalg][threads]") {
  // Small integers are exact in float, so every blocking, packing and edge path of every
  // micro-kernel width must give exact results.
  // (m = 32 and 40 end on a panel the edge micro-kernel fills exactly, for 12- and 6-row panels)
  const std::tuple<int64_t, int64_t, int64_t> shapes[] = {{1, 1, 1},       {13, 7, 5},   {97, 300, 61},
                                                          {260, 513, 100}, {3, 1000, 2}, {701, 270, 90},
                                                          {32, 70, 64},    {40, 300, 96}};
  for (int level = 0; level <= 2; ++level) {
    ts::detail::simd_level_cap().store(level, ts::detail::MemoryOrder::Relaxed);
    for (auto [m, k, n] : shapes) {
      const auto a = ts::remainder(ts::arange(m * k), 7).reshape({m, k}) - 3;
      const auto b = ts::remainder(ts::arange(k * n), 5).reshape({k, n}) - 2;
      const auto exact = ts::mm(a, b);
      CAPTURE(level, m, k, n);
      CHECK(ts::equal(ts::mm(a.to<float>(), b.to<float>()), exact.to<float>()));
      CHECK(ts::equal(ts::mm(a.to<double>(), b.to<double>()), exact.to<double>()));
      const auto at = a.to<float>().t().contiguous().t(), bt = b.to<float>().t().contiguous().t();
      CHECK(ts::equal(ts::mm(at, bt), exact.to<float>()));  // strided operands
    }
  }
  ts::detail::simd_level_cap().store(-1, ts::detail::MemoryOrder::Relaxed);
  const auto x = ts::arange(300 * 400).reshape({300, 400}).to<float>() * 0.001f;
  const auto y = ts::arange(400 * 200).reshape({400, 200}).to<float>().sin();
  ts::set_num_threads(1);
  const auto one = ts::mm(x, y);
  ts::set_num_threads(3);
  const auto three = ts::mm(x, y);
  ts::set_num_threads(2);
  CHECK(ts::equal(one, three));
}

TEST_CASE("linear algebra errors name the shapes", "[linalg][errors]") {
  CHECK_THROWS_WITH(ts::mm(ts::zeros({2, 3}), ts::zeros({4, 5})),
                    "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
  CHECK_THROWS_WITH(ts::mm(ts::zeros({2}), ts::zeros({2, 2})), Catch::Contains("expected 2-D and 2-D"));
  CHECK_THROWS_WITH(ts::matmul(ts::zeros({2, 3, 4}), ts::zeros({5, 6})), Catch::Contains("cannot be multiplied"));
  CHECK_THROWS_WITH(ts::matmul(ts::zeros({2, 3, 4}), ts::zeros({3, 4, 5})), Catch::Contains("cannot be broadcast"));
  CHECK_THROWS_WITH(ts::dot(ts::zeros({2}), ts::zeros({3})), Catch::Contains("inconsistent tensor size"));
  CHECK_THROWS_WITH(ts::einsum("ij,jk->ik", {ts::zeros({2, 3})}), Catch::Contains("has 2 operands"));
  CHECK_THROWS_WITH(ts::einsum("ij->k", {ts::zeros({2, 3})}), Catch::Contains("output subscript k"));
  CHECK_THROWS_WITH(ts::einsum("ijk", {ts::zeros({2, 3})}), Catch::Contains("does not match the number of dimensions"));
}

TEST_CASE("einsum takes the 52 letters a-z and A-Z, and ... never collides with them", "[linalg][einsum]") {
  const auto a = ts::arange(4).reshape({2, 2}).to<double>(), b = ts::arange(4, 8).reshape({2, 2}).to<double>();
  CHECK(ts::equal(ts::einsum("Ij,jK", {a, b}), ts::mm(a, b)));
  CHECK(ts::equal(ts::einsum("ij,jk", {a, b}), ts::mm(a, b)));
  const auto x = ts::arange(24).reshape({2, 3, 4}).to<double>(), v = ts::arange(4).to<double>();
  CHECK(ts::equal(ts::einsum("...Z,Z->...", {x, v}), ts::matmul(x, v)));
  CHECK(ts::equal(ts::einsum("...A,A", {x, v}), ts::matmul(x, v)));
  // The implicit output lists upper case before lower case, as torch 1.13 does.
  const auto y = ts::arange(6).reshape({2, 3}).to<double>();
  CHECK(ts::equal(ts::einsum("aB", {y}), y.t()));
  CHECK(ts::equal(ts::einsum("Ab", {y}), y));
  CHECK(ts::einsum("Ba,aC", {y, ts::ones({3, 4}).to<double>()}).sizes() == ts::Shape{2, 4});
  CHECK(ts::equal(ts::einsum("Aa->aA", {y}), y.t()));
  // More ellipsis dims than there are letters in one case.
  std::vector<int64_t> many(30, 1);
  many.push_back(3);
  const auto z = ts::arange(3).to<double>().reshape(many);
  const auto sums = ts::einsum("...i->...", {z});
  CHECK(sums.sizes() == ts::Shape(std::vector<int64_t>(30, 1)));
  CHECK(sums.item() == 3.0);
  CHECK_THROWS_WITH(ts::einsum("i.j", {y}), Catch::Contains("invalid subscript '.'"));
  CHECK_THROWS_WITH(ts::einsum("i1", {y}), Catch::Contains("invalid subscript '1'"));
  CHECK_THROWS_WITH(ts::einsum("ij->ii", {y}), Catch::Contains("output subscript i appears more than once"));
  CHECK_THROWS_WITH(ts::einsum("ij->i.", {y}), Catch::Contains("invalid subscript '.'"));
}

TEST_CASE("the SIMD level needs every feature its target attribute uses and the OS's register state",
          "[linalg][simd]") {
  using ts::detail::choose_simd_level;
  using ts::detail::CpuFeatures;
  using ts::detail::SimdLevel;
  CpuFeatures all;
  all.avx = all.avx2 = all.fma = all.f16c = true;
  all.avx512f = all.avx512dq = all.avx512vl = all.avx512bw = true;
  all.osxsave = true;
  all.xcr0 = 0xe7;  // x87, SSE, AVX, opmask, ZMM_Hi256, Hi16_ZMM
  CHECK(choose_simd_level(all) == SimdLevel::AVX512);
  auto without = [&](bool CpuFeatures::*feature) {
    CpuFeatures f = all;
    f.*feature = false;
    return choose_simd_level(f);
  };
  for (auto feature : {&CpuFeatures::avx512f, &CpuFeatures::avx512dq, &CpuFeatures::avx512vl, &CpuFeatures::avx512bw,
                       &CpuFeatures::f16c})
    CHECK(without(feature) == SimdLevel::AVX2);
  for (auto feature : {&CpuFeatures::avx, &CpuFeatures::avx2, &CpuFeatures::fma, &CpuFeatures::osxsave})
    CHECK(without(feature) == SimdLevel::SSE2);
  for (uint64_t missing : {0x2u, 0x4u, 0x20u, 0x40u, 0x80u}) {  // a register state the OS does not save
    CpuFeatures f = all;
    f.xcr0 &= ~missing;
    CAPTURE(missing);
    CHECK(choose_simd_level(f) == (missing <= 0x4 ? SimdLevel::SSE2 : SimdLevel::AVX2));
    f.avx512_state_on_demand = true;  // macOS enables the AVX-512 state at its first use
    CHECK(choose_simd_level(f) == (missing <= 0x4 ? SimdLevel::SSE2 : SimdLevel::AVX512));
  }
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  // This machine: the level found agrees with what the compiler's runtime reports.
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
  const CpuFeatures here = ts::detail::cpu_features();
  const SimdLevel level = ts::detail::detected_simd_level();
  CAPTURE(here.xcr0, static_cast<int>(level));
  CHECK(level == choose_simd_level(here));
  if (level == SimdLevel::AVX512) CHECK(avx512);
  if (level >= SimdLevel::AVX2) CHECK(avx2);
  if (avx512 && here.osxsave && (here.xcr0 & 0xe6) == 0xe6 && here.f16c) CHECK(level == SimdLevel::AVX512);
  if (avx2 && here.osxsave && (here.xcr0 & 0x6) == 0x6) CHECK(level >= SimdLevel::AVX2);
#endif
}

// The umbrella header leaves no macro of its own defined but the API's: TS_CHECK and the
// TESSERA_VERSION_* macros.
#ifdef TS_TARGET_AVX512
#error "TS_TARGET_AVX512 is still defined after <tessera/tessera.hpp>"
#endif
#ifdef TS_TARGET_AVX2
#error "TS_TARGET_AVX2 is still defined after <tessera/tessera.hpp>"
#endif
#ifdef TS_HAS_X86_DISPATCH
#error "TS_HAS_X86_DISPATCH is still defined after <tessera/tessera.hpp>"
#endif
#ifdef TS_EXACT
#error "TS_EXACT is still defined after <tessera/tessera.hpp>"
#endif
#ifdef TESSERA_HAS_ZLIB
#error "TESSERA_HAS_ZLIB is still defined after <tessera/tessera.hpp>"
#endif
#if !defined(TS_CHECK) || !defined(TESSERA_VERSION_MAJOR) || !defined(TESSERA_VERSION_MINOR) || \
    !defined(TESSERA_VERSION_PATCH)
#error "<tessera/tessera.hpp> must define TS_CHECK and the TESSERA_VERSION_* macros"
#endif

TEST_CASE("integer matrix products wrap in two's complement, as PyTorch's", "[linalg][overflow]") {
  // Note [Wrapping integer arithmetic]; values from torch 1.13
  constexpr int64_t M = INT64_MAX;
  const auto a = ts::tensor({{M, int64_t{2}}, {int64_t{1}, int64_t{1}}});
  const auto b = ts::tensor({{int64_t{2}, int64_t{1}}, {M, int64_t{1}}});
  CHECK(ts::matmul(a, b).to_vector() == std::vector<int64_t>{-4, -M, -M, 2});
  const auto i = ts::tensor<int32_t>({{INT32_MAX, INT32_MAX}});
  CHECK(ts::matmul(i, i.t()).to_vector() == std::vector<int32_t>{2});
}

}  // namespace test_linalg
