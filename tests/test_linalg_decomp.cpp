// ops/linalg_decomp.hpp (ts::linalg: solve, inv, det, slogdet, cholesky, solve_triangular,
// cholesky_solve, lu_factor, lu_solve, matrix_power, multi_dot, qr, eigh, svd, pinv, matrix_rank,
// lstsq, cond, norms) and the newer products of ops/linalg.hpp (addmm, addmv, baddbmm, addbmm,
// cross, kron, tensordot, cdist) against PyTorch (golden/linalg_decomp.txt,
// written by golden/generate_linalg_decomp.py): values, gradients, gradcheck and error messages.

#include <tessera/linalg.hpp>

#include <cstring>
#include <functional>
#include <limits>
#include <map>

#include "error_of.hpp"
#include "golden.hpp"

namespace test_linalg_decomp {

using ts::Tensor;

namespace {

template <class T>
struct Outputs {
  std::vector<Tensor<T>> floating;
  Tensor<int32_t> pivots;
  Tensor<int64_t> ints;
  Outputs() = default;
  Outputs(std::vector<Tensor<T>> f, Tensor<int32_t> p = {}, Tensor<int64_t> i = {})
      : floating(std::move(f)), pivots(std::move(p)), ints(std::move(i)) {}
};

/** Columns (rows: dim -1) flipped so that each one's largest |entry| is positive: the sign
 *  normalisation under which eigenvectors and singular vectors are unique (distinct values). */
template <class T>
Tensor<T> normalise_signs(const Tensor<T>& m, int64_t dim) {
  const Tensor<int64_t> at = m.abs().argmax(dim, true);
  return m * m.gather(dim, at).sign();
}

/** The parsed numeric order of a golden field ("inf", "-inf" or a number). */
inline double order_value(const std::string& v) {
  if (v == "inf") return std::numeric_limits<double>::infinity();
  if (v == "-inf") return -std::numeric_limits<double>::infinity();
  return std::stod(v);
}

template <class T>
Tensor<T> input(const golden::Record& r, int i) {
  const std::string k = "in" + std::to_string(i);
  return ts::from_vector(golden::values<T>(r.get(k)), ts::Shape(golden::ints(r.get(k + "_shape"))));
}

template <class T>
Outputs<T> run(const golden::Record& r, const std::vector<Tensor<T>>& in, const Tensor<int32_t>& pivots) {
  const std::string op = r.get("op");
  auto flag = [&](const char* key) { return r.has(key) && std::stoll(r.get(key)) != 0; };
  if constexpr (ts::detail::linalg_floating_v<T>) {
    if (op == "solve") return {{ts::linalg::solve(in[0], in[1], !r.has("left") || flag("left"))}, {}};
    if (op == "inv") return {{ts::linalg::inv(in[0])}, {}};
    if (op == "det") return {{ts::linalg::det(in[0])}, {}};
    if (op == "slogdet") {
      auto [sign, logabsdet] = ts::linalg::slogdet(in[0]);
      return {{sign, logabsdet}, {}};
    }
    if (op == "cholesky") return {{ts::linalg::cholesky(in[0], flag("upper"))}, {}};
    if (op == "solve_triangular")
      return {{ts::linalg::solve_triangular(in[0], in[1], flag("upper"), flag("left"), flag("unitriangular"))}, {}};
    if (op == "cholesky_solve") return {{ts::cholesky_solve(in[0], in[1], flag("upper"))}, {}};
    if (op == "lu_factor") {
      auto [lu, piv] = ts::linalg::lu_factor(in[0]);
      return {{lu}, piv};
    }
    if (op == "lu_solve") return {{ts::linalg::lu_solve(in[0], pivots, in[1], flag("left"), flag("adjoint"))}, {}};
    if (op == "multi_dot") return {{ts::linalg::multi_dot(in)}, {}};
    if (op == "qr") {
      auto [q, rr] = ts::linalg::qr(in[0], r.get("mode"));
      return {{q, rr}, {}};
    }
    if (op == "eigh") {
      auto [w, v] = ts::linalg::eigh(in[0], r.get("uplo"));
      return {{w, v}, {}};
    }
    if (op == "eigvalsh") return {{ts::linalg::eigvalsh(in[0], r.get("uplo"))}, {}};
    if (op == "svd") {
      auto [u, sv, vh] = ts::linalg::svd(in[0], flag("full_matrices"));
      return {{u, sv, vh}, {}};
    }
    if (op == "svdvals") return {{ts::linalg::svdvals(in[0])}, {}};
    if (op == "pinv") return {{r.has("atol") ? ts::linalg::pinv(in[0], std::stod(r.get("atol"))) : ts::linalg::pinv(in[0])}, {}};
    if (op == "matrix_rank") return {{}, {}, ts::linalg::matrix_rank(in[0])};
    if (op == "lstsq") {
      auto res = ts::linalg::lstsq(in[0], in[1]);
      return {{res.solution, res.residuals, res.singular_values}, {}, res.rank};
    }
    if (op == "cond") {
      const std::string p = r.get("p");
      if (p == "none") return {{ts::linalg::cond(in[0])}, {}};
      if (p == "fro" || p == "nuc") return {{ts::linalg::cond(in[0], std::string_view(p))}, {}};
      return {{ts::linalg::cond(in[0], order_value(p))}, {}};
    }
    if (op == "matrix_norm") {
      const std::string o = r.get("ord");
      if (o == "fro" || o == "nuc") return {{ts::linalg::matrix_norm(in[0], std::string_view(o))}, {}};
      return {{ts::linalg::matrix_norm(in[0], order_value(o))}, {}};
    }
    if (op == "nuclear_norm") {
      const bool keep = flag("keepdim");
      if (r.get("dim") == "none") return {{ts::nuclear_norm(in[0], keep)}, {}};
      return {{ts::nuclear_norm(in[0], ts::Shape(golden::ints(r.get("dim"))), keep)}, {}};
    }
    if (op == "vector_norm")
      return {{ts::linalg::vector_norm(in[0], order_value(r.get("ord")), ts::Shape(golden::ints(r.get("dim"))))}, {}};
    if (op == "norm") return {{ts::linalg::norm(in[0])}, {}};
  }
  if (op == "matrix_power") return {{ts::linalg::matrix_power(in[0], std::stoll(r.get("n")))}, {}};
  // ops/linalg.hpp
  auto num = [&](const char* key) { return std::stod(r.get(key)); };
  if (op == "addmm") return {{ts::addmm(in[0], in[1], in[2], num("beta"), num("alpha"))}, {}};
  if (op == "addmv") return {{ts::addmv(in[0], in[1], in[2], num("beta"), num("alpha"))}, {}};
  if (op == "baddbmm") return {{ts::baddbmm(in[0], in[1], in[2], num("beta"), num("alpha"))}, {}};
  if (op == "addbmm") return {{ts::addbmm(in[0], in[1], in[2], num("beta"), num("alpha"))}, {}};
  if (op == "cross") return {{ts::cross(in[0], in[1], std::stoll(r.get("dim")))}, {}};
  if (op == "kron") return {{ts::kron(in[0], in[1])}, {}};
  if (op == "tensordot") {
    if (r.has("dims")) return {{ts::tensordot(in[0], in[1], std::stoll(r.get("dims")))}, {}};
    return {{ts::tensordot(in[0], in[1], ts::Shape(golden::ints(r.get("dims_a"))), ts::Shape(golden::ints(r.get("dims_b"))))}, {}};
  }
  if (op == "cdist") return {{ts::cdist(in[0], in[1], order_value(r.get("p")))}, {}};
  FAIL("unknown op " << op);
  return {};
}

template <class T>
void check_close(const golden::Record& r, const Tensor<T>& got, const std::string& key, const ts::Shape& shape,
                 double tol) {
  INFO("case " << r.name << " " << key << ": got " << got);
  REQUIRE(got.sizes() == shape);
  const auto want = ts::from_vector(golden::values<T>(r.get(key)), shape);
  if constexpr (ts::is_floating_v<T>) CHECK(ts::allclose(got.template to<double>(), want.template to<double>(), tol, tol));
  else CHECK(got.to_vector() == want.to_vector());
}

template <class T>
void check_case(const golden::Record& r) {
  std::vector<Tensor<T>> in;
  Tensor<int32_t> pivots;
  for (int i = 0; r.has("in" + std::to_string(i)); ++i) {
    if (r.get("in" + std::to_string(i) + "_dtype") == "int32") {
      pivots = input<int32_t>(r, i);
      continue;
    }
    Tensor<T> t = input<T>(r, i);
    if (r.has("grad" + std::to_string(i))) t.requires_grad_(true);
    in.push_back(t);
  }
  const double tol = std::is_same_v<T, float> ? 2e-4 : 1e-9;
  const Outputs<T> out = run<T>(r, in, pivots);
  const std::string signs = r.has("signs") ? r.get("signs") : "";
  size_t k = 0;
  for (const auto& o : out.floating) {
    const std::string key = "out" + std::to_string(k++);
    const ts::Shape shape(golden::ints(r.get(key + "_shape")));
    Tensor<T> got = o.detach();
    if (signs.empty() || (signs == "eigh" && key == "out0") || (signs == "svd" && key == "out1")) {
      check_close(r, got, key, shape, tol);
      continue;
    }
    // Vectors: compare sign-normalised, and for a full SVD of a non-square matrix only the
    // first min(m, n) (the rest span the complement in any orthonormal basis).
    INFO("case " << r.name << " " << key << ": got " << got);
    REQUIRE(got.sizes() == shape);
    Tensor<T> want = ts::from_vector(golden::values<T>(r.get(key)), shape);
    const int64_t vdim = key == "out2" ? -1 : -2;  // Vh's vectors are rows
    if (signs == "svd") {
      const int64_t kk = out.floating[1].size(-1);
      got = got.narrow(vdim == -2 ? -1 : -2, 0, kk), want = want.narrow(vdim == -2 ? -1 : -2, 0, kk);
      const Tensor<T> full = o.detach();
      const Tensor<T> gram = vdim == -2 ? ts::matmul(full.transpose(-2, -1), full) : ts::matmul(full, full.transpose(-2, -1));
      CHECK(ts::allclose(gram, ts::eye<T>(gram.size(-1)).expand(gram.sizes()), tol * 10, tol * 10));
    }
    CHECK(ts::allclose(normalise_signs(got, vdim), normalise_signs(want, vdim), tol * 10, tol * 10));
  }
  if constexpr (ts::is_floating_v<T>) {
    if (r.get("op") == "svdvals") {  // the vectors too: A = U diag(S) Vh, with orthonormal U and V
      INFO("case " << r.name << ": U S Vh and the Gram matrices");
      const Tensor<T> a = in[0].detach();
      const auto [u, sv, vh] = ts::linalg::svd(a, false);
      const double scale = static_cast<double>(a.abs().max().item());
      CHECK(ts::allclose(ts::matmul(u * sv.unsqueeze(-2), vh), a, 0, tol * (1 + scale)));
      for (const Tensor<T>& gram : {ts::matmul(u.transpose(-2, -1), u), ts::matmul(vh, vh.transpose(-2, -1))})
        CHECK(ts::allclose(gram, ts::eye<T>(gram.size(-1)).expand(gram.sizes()), 0, tol));
    }
  }
  if (out.pivots.defined()) {
    const std::string key = "out" + std::to_string(k++);
    INFO("case " << r.name << " pivots " << out.pivots);
    CHECK(out.pivots.to_vector() == golden::values<int32_t>(r.get(key)));
  }
  if (out.ints.defined()) {
    const std::string key = "out" + std::to_string(k++);
    INFO("case " << r.name << " ints " << out.ints);
    REQUIRE(out.ints.sizes() == ts::Shape(golden::ints(r.get(key + "_shape"))));
    CHECK(out.ints.to_vector() == golden::values<int64_t>(r.get(key)));
  }
  bool any_grad = false;
  for (size_t i = 0; i < in.size(); ++i) any_grad = any_grad || r.has("grad" + std::to_string(i));
  if (!any_grad) return;
  // The generator's losses: sign-invariant ones for eigh and svd (squared vectors).
  auto wsum = [](const Tensor<T>& o) {
    std::vector<T> w(static_cast<size_t>(o.numel()));
    for (size_t j = 0; j < w.size(); ++j) w[j] = static_cast<T>(1 + static_cast<double>(j % 5) / 4);
    return (o * ts::from_vector(w, o.sizes())).sum();
  };
  const std::string op = r.get("op");
  const auto& f = out.floating;
  if (op == "qr") {
    (wsum(f[0]) + wsum(f[1])).backward();
  } else if (op == "eigh") {
    (wsum(f[0]) + wsum(f[1] * f[1])).backward();
  } else if (op == "svd") {
    const int64_t kk = f[1].size(-1);
    const Tensor<T> u = f[0].narrow(-1, 0, kk), vh = f[2].narrow(-2, 0, kk);
    (wsum(f[1]) + wsum(u * u) + wsum(vh * vh)).backward();
  } else {
    wsum(f.back()).backward();
  }
  for (size_t i = 0; i < in.size(); ++i) {
    const std::string key = "grad" + std::to_string(i);
    if (!r.has(key)) continue;
    REQUIRE(in[i].grad().defined());
    check_close(r, in[i].grad(), key, in[i].sizes(), std::is_same_v<T, float> ? 2e-3 : 1e-8);
  }
}

}  // namespace

TEST_CASE("linalg solvers and factorizations match PyTorch", "[linalg_decomp]") {
  int checked = 0;
  for (const auto& r : golden::load("linalg_decomp.txt")) {
    if (r.get("op") == "error") continue;
    const std::string dtype = r.get("dtype");
    if (dtype == "float64") check_case<double>(r);
    else if (dtype == "float32") check_case<float>(r);
    else if (dtype == "int64") check_case<int64_t>(r);
    else FAIL("no dtype " << dtype);
    ++checked;
  }
  CHECK(checked > 300);
}

TEST_CASE("linalg errors carry PyTorch's messages", "[linalg_decomp][errors]") {
  using D = Tensor<double>;
  namespace L = ts::linalg;
  const D sing = ts::tensor<double>({{1., 2.}, {2., 4.}});
  const D eye2 = ts::eye<double>(2), eye3 = ts::eye<double>(3);
  const D not_pd = ts::tensor<double>({{1., 2.}, {2., 1.}});
  auto ones = [](ts::Shape s) { return ts::ones<double>(s); };
  std::vector<double> entries;  // the generator's matrix with a zero column
  for (int i = 0; i < 40; ++i)
    for (int j = 0; j < 40; ++j) entries.push_back(j == 25 ? 0.0 : i == j ? 40.0 : (i * 7 + j * 3) % 11 / 10.0 - 0.5);
  const D singular_large = ts::from_vector(entries, {40, 40});
  const std::map<std::string, std::function<void()>> calls = {
      {"solve_singular", [&] { L::solve(ts::zeros<double>({2, 2}), ones({2, 1})); }},
      {"solve_singular_batched", [&] { L::solve(ts::stack(std::vector<D>{eye2, sing}), ones({2, 2, 1})); }},
      {"solve_not_square", [&] { L::solve(ones({2, 3}), ones({2, 1})); }},
      {"solve_1d", [&] { L::solve(ones({3}), ones({3})); }},
      {"solve_shapes", [&] { L::solve(eye3, ones({2, 1})); }},
      {"solve_shapes_vector", [&] { L::solve(eye3, ones({2})); }},
      {"solve_right_shapes", [&] { L::solve(eye3, ones({3, 2}), false); }},
      {"solve_right_vector", [&] { L::solve(eye3, ones({3}), false); }},
      {"inv_singular", [&] { L::inv(sing); }},
      {"inv_singular_batched", [&] { L::inv(ts::stack(std::vector<D>{eye2, sing})); }},
      {"inv_singular_large", [&] { L::inv(singular_large); }},
      {"inv_singular_large_column_major", [&] { L::inv(singular_large.mT().contiguous().mT()); }},
      {"inv_not_square", [&] { L::inv(ones({2, 3})); }},
      {"det_not_square", [&] { L::det(ones({2, 3})); }},
      {"det_1d", [&] { L::det(ones({3})); }},
      {"slogdet_not_square", [&] { L::slogdet(ones({2, 3})); }},
      {"cholesky_not_pd", [&] { L::cholesky(not_pd); }},
      {"cholesky_not_pd_batched", [&] { L::cholesky(ts::stack(std::vector<D>{eye2, not_pd})); }},
      {"cholesky_not_pd_upper",
       [&] { L::cholesky(ts::tensor<double>({{4., 2., 0.}, {2., 1., 0.}, {0., 0., 1.}}), true); }},
      {"cholesky_negative", [&] { L::cholesky(ts::tensor<double>({{-1., 0.}, {0., 1.}})); }},
      {"cholesky_not_square", [&] { L::cholesky(ones({2, 3})); }},
      {"solve_triangular_b_1d", [&] { L::solve_triangular(eye2, ones({2}), true); }},
      {"solve_triangular_a_1d", [&] { L::solve_triangular(ones({2}), ones({2, 2}), true); }},
      {"solve_triangular_shapes", [&] { L::solve_triangular(eye3, ones({2, 2}), true); }},
      {"solve_triangular_right_shapes", [&] { L::solve_triangular(eye3, ones({3, 2}), true, false); }},
      {"solve_triangular_not_square", [&] { L::solve_triangular(ones({2, 3}), ones({3, 2}), true); }},
      {"cholesky_solve_shapes", [&] { ts::cholesky_solve(ones({3, 2}), ones({2, 2})); }},
      {"cholesky_solve_1d", [&] { ts::cholesky_solve(ones({3}), ones({3, 3})); }},
      {"lu_factor_1d", [&] { L::lu_factor(ones({3})); }},
      {"lu_factor_singular", [&] { L::lu_factor(sing); }},
      {"lu_factor_singular_batched", [&] { L::lu_factor(ts::stack(std::vector<D>{eye2, sing})); }},
      {"lu_solve_shapes",
       [&] {
         auto [lu, piv] = L::lu_factor(eye3);
         L::lu_solve(lu, piv, ones({2, 2}));
       }},
      {"lu_solve_1d",
       [&] {
         auto [lu, piv] = L::lu_factor(eye3);
         L::lu_solve(lu, piv, ones({3}));
       }},
      {"matrix_power_not_square", [&] { L::matrix_power(ones({2, 3}), 2); }},
      {"matrix_power_1d", [&] { L::matrix_power(ones({3}), 2); }},
      {"matrix_power_singular", [&] { L::matrix_power(ts::zeros<double>({2, 2}), -1); }},
      {"matrix_power_int_negative", [&] { L::matrix_power(ts::eye<int64_t>(2), -1); }},
      {"multi_dot_one", [&] { L::multi_dot({ones({2, 2})}); }},
      {"multi_dot_first_3d", [&] { L::multi_dot({ones({2, 2, 2}), ones({2, 2})}); }},
      {"multi_dot_last_3d", [&] { L::multi_dot({ones({2, 2}), ones({2, 2, 2})}); }},
      {"multi_dot_middle_1d", [&] { L::multi_dot({ones({2, 2}), ones({2}), ones({2, 2})}); }},
      {"multi_dot_shapes", [&] { L::multi_dot({ones({2, 3}), ones({4, 5})}); }},
      {"addmm_shapes", [&] { ts::addmm(ones({2, 2}), ones({2, 3}), ones({4, 2})); }},
      {"addmm_1d", [&] { ts::addmm(ones({2, 2}), ones({3}), ones({3, 2})); }},
      {"addmm_input", [&] { ts::addmm(ones({3, 2}), ones({2, 3}), ones({3, 2})); }},
      {"baddbmm_shapes", [&] { ts::baddbmm(ones({2, 2, 2}), ones({2, 2, 3}), ones({2, 4, 2})); }},
      {"addbmm_batches", [&] { ts::addbmm(ones({2, 2}), ones({2, 2, 3}), ones({3, 3, 2})); }},
      {"cross_length", [&] { ts::cross(ones({2, 4}), ones({2, 4}), -1); }},
      {"cdist_columns", [&] { ts::cdist(ones({2, 3}), ones({2, 4})); }},
      {"tensordot_sizes", [&] { ts::tensordot(ones({2, 3}), ones({4, 5}), 1); }},
      {"nuclear_norm_3d", [&] { ts::nuclear_norm(ones({2, 3, 4})); }},
      {"nuclear_norm_1d", [&] { ts::nuclear_norm(ones({3})); }},
      {"nuclear_norm_dim", [&] { ts::nuclear_norm(ones({2, 3, 4}), ts::Shape{0}); }},
      {"qr_mode", [&] { L::qr(ones({3, 3}), "x"); }},
      {"qr_1d", [&] { L::qr(ones({3})); }},
      {"eigh_not_square", [&] { L::eigh(ones({5, 3})); }},
      {"eigh_uplo", [&] { L::eigh(eye3, "X"); }},
      {"svd_1d", [&] { L::svd(ones({3})); }},
      {"matrix_norm_1d", [&] { L::matrix_norm(ones({3})); }},
      {"matrix_norm_ord", [&] { L::matrix_norm(ones({3, 3}), 3.0); }},
      {"cond_not_square", [&] { L::cond(ones({2, 3}), 1.0); }},
      {"lstsq_rows", [&] { L::lstsq(ones({5, 3}), ones({4, 2})); }},
      {"qr_r_backward",
       [&] {
         const D x = ones({3, 2}).requires_grad_(true);
         L::qr(x, "r").R.sum().backward();
       }},
      {"qr_complete_backward",
       [&] {
         ts::Generator g(3);
         const D x = ts::randn<double>({3, 2}, g).requires_grad_(true);
         auto [q, rr] = L::qr(x, "complete");
         (q.sum() + rr.sum()).backward();
       }},
  };
  int checked = 0;
  for (const auto& r : golden::load("linalg_decomp.txt")) {
    if (r.get("op") != "error") continue;
    const std::string name = r.name.substr(6);
    INFO("error case " << name);
    REQUIRE(calls.count(name) == 1);
    const std::string message = error_of(calls.at(name));
    CHECK((message == r.get("message") || message.ends_with(": " + r.get("message"))));
    ++checked;
  }
  CHECK(checked == static_cast<int>(calls.size()));
}

TEST_CASE("linalg gradients pass gradcheck", "[linalg_decomp][gradcheck]") {
  using D = Tensor<double>;
  namespace L = ts::linalg;
  auto rnd = [](ts::Shape s, uint64_t seed) {
    ts::Generator g(seed);
    return ts::randn<double>(s, g);
  };
  // Well-conditioned: the random part plus a diagonal of +-n.
  auto general = [&](ts::Shape s, uint64_t seed) {
    const int64_t n = s[s.size() - 1];
    const D sign = ts::tensor<double>({1., -1., 1., -1., 1.}).slice(0, 0, n);
    return (rnd(s, seed) + ts::eye<double>(n) * sign * static_cast<double>(n)).detach();
  };
  auto leaf = [](D t) { return t.requires_grad_(true); };
  auto flat_cat = [](const D& a, const D& b) { return ts::cat(std::vector<D>{a.reshape({-1}), b.reshape({-1})}); };
  auto spd = [](const D& x) {
    const int64_t n = x.size(-1);
    return ts::matmul(x, x.transpose(-2, -1)) + ts::eye<double>(n) * static_cast<double>(n);
  };
  using Fn = std::function<D(const std::vector<D>&)>;
  const std::vector<std::pair<Fn, std::vector<D>>> checks = {
      {[](const std::vector<D>& v) { return L::solve(v[0], v[1]); }, {leaf(general({2, 3, 3}, 1)), leaf(rnd({3, 2}, 2))}},
      {[](const std::vector<D>& v) { return L::solve(v[0], v[1], false); }, {leaf(general({3, 3}, 3)), leaf(rnd({2, 2, 3}, 4))}},
      {[](const std::vector<D>& v) { return L::solve(v[0], v[1]); }, {leaf(general({3, 3}, 5)), leaf(rnd({3}, 6))}},
      {[](const std::vector<D>& v) { return L::inv(v[0]); }, {leaf(general({2, 3, 3}, 7))}},
      {[](const std::vector<D>& v) { return L::det(v[0]); }, {leaf(general({2, 3, 3}, 8))}},
      {[](const std::vector<D>& v) { return L::slogdet(v[0]).logabsdet; }, {leaf(general({2, 4, 4}, 9))}},
      {[&](const std::vector<D>& v) { return L::cholesky(spd(v[0])); }, {leaf(rnd({2, 3, 3}, 10))}},
      {[&](const std::vector<D>& v) { return L::cholesky(spd(v[0]), true); }, {leaf(rnd({3, 3}, 11))}},
      {[](const std::vector<D>& v) { return L::solve_triangular(v[0], v[1], true); }, {leaf(general({3, 3}, 12)), leaf(rnd({2, 3, 2}, 13))}},
      {[](const std::vector<D>& v) { return L::solve_triangular(v[0], v[1], false, false, true); }, {leaf(general({3, 3}, 14)), leaf(rnd({2, 3}, 15))}},
      {[&](const std::vector<D>& v) { return ts::cholesky_solve(v[0], L::cholesky(spd(v[1]))); }, {leaf(rnd({3, 2}, 16)), leaf(rnd({3, 3}, 17))}},
      {[&](const std::vector<D>& v) { return ts::cholesky_solve(v[0], L::cholesky(spd(v[1]), true), true); }, {leaf(rnd({2, 3, 2}, 18)), leaf(rnd({3, 3}, 19))}},
      {[](const std::vector<D>& v) { return L::matrix_power(v[0], 5); }, {leaf(general({3, 3}, 20) / 3.0)}},
      {[](const std::vector<D>& v) { return L::matrix_power(v[0], -2); }, {leaf(general({3, 3}, 21))}},
      {[](const std::vector<D>& v) { return L::multi_dot(v); }, {leaf(rnd({3}, 22)), leaf(rnd({3, 4}, 23)), leaf(rnd({4, 2}, 24)), leaf(rnd({2, 5}, 25))}},
      {[&](const std::vector<D>& v) { return flat_cat(L::qr(v[0]).Q, L::qr(v[0]).R); }, {leaf(rnd({2, 4, 3}, 26))}},
      {[&](const std::vector<D>& v) { return flat_cat(L::qr(v[0]).Q, L::qr(v[0]).R); }, {leaf(rnd({3, 5}, 27))}},
      {[&](const std::vector<D>& v) { return flat_cat(L::qr(v[0], "complete").Q, L::qr(v[0], "complete").R); }, {leaf(rnd({3, 4}, 28))}},
      // eigh reads one triangle: differentiate through a symmetric input; squared vectors are sign-free.
      {[&](const std::vector<D>& v) {
         const auto e = L::eigh(v[0] + v[0].transpose(-2, -1));
         return flat_cat(e.eigenvalues, e.eigenvectors * e.eigenvectors);
       }, {leaf(rnd({2, 4, 4}, 29))}},
      {[&](const std::vector<D>& v) { return L::eigvalsh(v[0] + v[0].transpose(-2, -1), "U"); }, {leaf(rnd({3, 3}, 30))}},
      {[&](const std::vector<D>& v) {
         const auto d = L::svd(v[0], false);
         return flat_cat(d.S, flat_cat(d.U * d.U, d.Vh * d.Vh));
       }, {leaf(rnd({2, 5, 3}, 31))}},
      {[&](const std::vector<D>& v) {
         const auto d = L::svd(v[0], true);
         return flat_cat(d.S, flat_cat(d.U.narrow(-1, 0, 3) * d.U.narrow(-1, 0, 3), d.Vh.narrow(-2, 0, 3) * d.Vh.narrow(-2, 0, 3)));
       }, {leaf(rnd({3, 5}, 32))}},
      {[](const std::vector<D>& v) { return L::svdvals(v[0]); }, {leaf(rnd({4, 3}, 33))}},
      {[](const std::vector<D>& v) { return L::pinv(v[0]); }, {leaf(rnd({3, 4}, 34))}},
      {[](const std::vector<D>& v) { return L::matrix_norm(v[0], "nuc"); }, {leaf(rnd({2, 3, 4}, 35))}},
      {[](const std::vector<D>& v) { return L::cond(v[0]); }, {leaf(rnd({3, 3}, 36))}},
      {[](const std::vector<D>& v) { return ts::addmm(v[0], v[1], v[2], 0.5, 2.0); }, {leaf(rnd({4}, 37)), leaf(rnd({2, 3}, 38)), leaf(rnd({3, 4}, 39))}},
      {[](const std::vector<D>& v) { return ts::addbmm(v[0], v[1], v[2], 0.5, 1.5); }, {leaf(rnd({2, 4}, 40)), leaf(rnd({3, 2, 5}, 41)), leaf(rnd({3, 5, 4}, 42))}},
      {[](const std::vector<D>& v) { return ts::cross(v[0], v[1], -1); }, {leaf(rnd({2, 1, 3}, 43)), leaf(rnd({1, 4, 3}, 44))}},
      {[](const std::vector<D>& v) { return ts::kron(v[0], v[1]); }, {leaf(rnd({2, 3}, 45)), leaf(rnd({3, 2}, 46))}},
      {[](const std::vector<D>& v) { return ts::tensordot(v[0], v[1], 2); }, {leaf(rnd({2, 3, 4}, 47)), leaf(rnd({3, 4, 5}, 48))}},
      {[](const std::vector<D>& v) { return ts::cdist(v[0], v[1], 1.5); }, {leaf(rnd({2, 4, 3}, 49)), leaf(rnd({5, 3}, 50))}},
  };
  for (size_t i = 0; i < checks.size(); ++i) {
    INFO("gradcheck " << i);
    CHECK(ts::autograd::gradcheck(checks[i].first, checks[i].second));
  }
}

TEST_CASE("linalg identities hold on larger batches", "[linalg_decomp]") {
  ts::Generator g(7);
  const auto a = ts::randn<double>({4, 40, 40}, g) + ts::eye<double>(40) * 10.0;
  const auto b = ts::randn<double>({4, 40, 3}, g);
  const auto x = ts::linalg::solve(a, b);
  CHECK(ts::allclose(ts::matmul(a, x), b, 1e-10, 1e-10));
  CHECK(ts::allclose(ts::matmul(a, ts::linalg::inv(a)), ts::eye<double>(40).expand({4, 40, 40}), 1e-10, 1e-10));
  const auto s = ts::matmul(a, a.transpose(-2, -1));
  const auto l = ts::linalg::cholesky(s);
  CHECK(ts::allclose(ts::matmul(l, l.transpose(-2, -1)), s, 1e-9, 1e-9));
  CHECK(ts::allclose(ts::linalg::det(a).abs().log(), ts::linalg::slogdet(a).logabsdet, 1e-10, 1e-10));
  auto [lu, piv] = ts::linalg::lu_factor(a);
  CHECK(ts::allclose(ts::linalg::lu_solve(lu, piv, b), x, 1e-10, 1e-10));
  // One A for many right-hand sides is factored once and gives the same as an expanded A.
  const auto many = ts::linalg::solve(a[0], b);
  CHECK(ts::allclose(many, ts::linalg::solve(a[0].expand({4, 40, 40}).contiguous(), b), 0, 0));
  // Strided inputs: a transposed A is A^T (factored as it is, where a contiguous A^T is
  // factored transposed, as PyTorch does: the same up to rounding).
  CHECK(ts::allclose(ts::linalg::solve(a.transpose(-2, -1), b), ts::linalg::solve(a.transpose(-2, -1).contiguous(), b),
                     1e-12, 1e-12));
}

TEST_CASE("LU, triangular solves and the SVD give the same bits for any number of threads", "[linalg_decomp][threads]") {
  // Note [Recursive LU and triangular solves]: sizes past the base block and past two column
  // blocks of right-hand sides, whose GEMM updates run on every thread. The SVD's merges solve
  // their roots in ranges on the threads (Note [Divide and conquer on the bidiagonal]).
  ts::Generator g(11);
  const auto a = ts::randn({150, 150}, g), b = ts::randn({150, 200}, g);
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2, 3}) {
    ts::set_num_threads(threads);
    auto [lu, piv] = ts::linalg::lu_factor(a);
    results.push_back(lu.to_vector());
    results.push_back(ts::linalg::solve(a, b).to_vector());
    results.push_back(ts::linalg::lu_solve(lu, piv, b, true, true).to_vector());
    results.push_back(ts::linalg::solve_triangular(a + ts::eye(150) * 20.0f, b, true).to_vector());
    const auto [u, s, vh] = ts::linalg::svd(b);
    for (const auto& t : {u, s, vh}) results.push_back(t.to_vector());
  }
  ts::set_num_threads(2);
  const size_t per_count = results.size() / 3;
  for (size_t r = per_count; r < results.size(); ++r)
    CHECK(std::memcmp(results[r].data(), results[r % per_count].data(), results[r].size() * sizeof(float)) == 0);
}

TEST_CASE("svd of a matrix with a NaN or an infinity is NaN, and returns", "[linalg_decomp]") {
  for (const float bad : {NAN, INFINITY}) {
    Tensor<float> a = ts::eye<float>(40);
    a.index_put_({ts::tensor<int64_t>({3}), ts::tensor<int64_t>({5})}, ts::tensor<float>({bad}));
    const auto [u, s, vh] = ts::linalg::svd(a);
    CHECK(s.isnan().all().item());
    CHECK(u.isnan().all().item());
    CHECK(vh.isnan().all().item());
    CHECK(ts::linalg::svdvals(a.t()).isnan().all().item());
  }
}

}  // namespace test_linalg_decomp
