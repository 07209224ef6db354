// The mt19937 generator against PyTorch 1.13's CPU generator: every sampler, layer initialisation
// and the data loader replay tests/golden/mt19937.txt (tests/golden/generate_mt19937.py) bit for
// bit after set_default_rng_algorithm(mt19937) and manual_seed; plus the engine, states and errors.

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <random>

#include "error_of.hpp"
#include "golden.hpp"

namespace test_random_mt19937 {

namespace {

uint64_t fnv1a(const void* data, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

// Compares a tensor with an `out` line: its values (hex floats or integers) or, for long outputs,
// the hash of its bytes and its first 20 values. Bit for bit, or within `ulps` units of the last
// place of max(|value|, 1) (trunc_normal_ goes through erfinv, whose last bit differs from
// PyTorch's now and then, and then adds the mean; orthogonal_ factors its draw another way).
template <class T>
void check_out(const ts::Tensor<T>& t, const std::string& line, const std::string& where, int ulps = 0) {
  const std::vector<T> got = t.contiguous().to(ts::Device::cpu()).to_vector();
  std::vector<std::string> tok = golden::tokens(line);
  size_t first = 0;
  if (!tok.empty() && tok[0] == "hash") {
    INFO(where);
    CHECK(std::stoull(tok[1], nullptr, 16) == fnv1a(got.data(), got.size() * sizeof(T)));
    CHECK(std::stoull(tok[2]) == got.size());
    first = 3;
  } else {
    INFO(where);
    REQUIRE(tok.size() == got.size());
  }
  int mismatches = 0;
  for (size_t i = first; i < tok.size(); ++i) {
    const T want = std::is_floating_point_v<T> ? static_cast<T>(std::strtod(tok[i].c_str(), nullptr))
                                               : static_cast<T>(std::strtoll(tok[i].c_str(), nullptr, 10));
    bool same = std::memcmp(&want, &got[i - first], sizeof(T)) == 0;
    if constexpr (std::is_floating_point_v<T>)
      if (ulps > 0 && !same)
        same = std::abs(got[i - first] - want) <= ulps * std::numeric_limits<T>::epsilon() * std::max<T>(std::abs(want), 1);
    if (!same && mismatches++ < 5) {
      INFO(where << " element " << (i - first));
      CHECK(got[i - first] == want);
    }
  }
  INFO(where);
  CHECK(mismatches == 0);
}

ts::Tensor<double> probs(int64_t n) {
  std::vector<double> p;
  for (int64_t i = 0; i < n; ++i) p.push_back(static_cast<double>(i % 11) / 10);
  return ts::from_vector(p, {n});
}
ts::Tensor<double> weights(int64_t rows, int64_t k) {
  std::vector<double> w;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < k; ++j) w.push_back(static_cast<double>((i * k + j) % 7) / 3);
  return ts::from_vector(w, {rows, k});
}

// Runs one floating call of the golden language in T, checking its outputs against `outs`.
template <class T>
void run_floating(const std::vector<std::string>& a, const std::vector<std::string>& outs, const std::string& where) {
  const std::string& op = a[0];
  const int64_t n = std::stoll(a[2]);
  if (op == "rand") return check_out(ts::rand<T>({n}), outs.at(0), where);
  if (op == "randn") return check_out(ts::randn<T>({n}), outs.at(0), where);
  if (op == "uniform") return check_out(ts::empty<T>({n}).uniform_(std::stod(a[3]), std::stod(a[4])), outs.at(0), where);
  if (op == "normal") return check_out(ts::empty<T>({n}).normal_(std::stod(a[3]), std::stod(a[4])), outs.at(0), where);
  if (op == "uniform_t" || op == "normal_t" || op == "bernoulli_t") {
    const auto t = ts::empty<T>({n, std::stoll(a[3])}).t();
    if (op == "uniform_t") t.uniform_(-1, 3);
    else if (op == "normal_t") t.normal_(2, 0.5);
    else t.bernoulli_(0.4);
    return check_out(t, outs.at(0), where);
  }
  if (op == "bernoulli") return check_out(ts::bernoulli(probs(n).to<T>()), outs.at(0), where);
  if (op == "bernoulli_") return check_out(ts::empty<T>({n}).bernoulli_(std::stod(a[3])), outs.at(0), where);
  if (op == "exponential") return check_out(ts::empty<T>({n}).exponential_(std::stod(a[3])), outs.at(0), where);
  if (op == "cauchy") return check_out(ts::empty<T>({n}).cauchy_(std::stod(a[3]), std::stod(a[4])), outs.at(0), where);
  if (op == "log_normal") return check_out(ts::empty<T>({n}).log_normal_(std::stod(a[3]), std::stod(a[4])), outs.at(0), where);
  if (op == "cauchy_t") return check_out(ts::empty<T>({n, std::stoll(a[3])}).t().cauchy_(1, 0.5), outs.at(0), where);
  if (op == "dropout") {
    const auto x = ts::arange<T>(1, static_cast<double>(n) + 1);
    return check_out(ts::nn::functional::dropout(x, std::stod(a[3]), true), outs.at(0), where);
  }
  if (op == "multinomial") {
    const int64_t rows = n, k = std::stoll(a[3]), samples = std::stoll(a[4]);
    auto w = weights(rows, k).to<T>();
    if (rows == 1) w = w[0];
    return check_out(ts::multinomial(w, samples, a[5] == "1"), outs.at(0), where);
  }
  FAIL("unknown call " << op);
}

// `init fn dtype shape args...`: torch.nn.init.<fn>_ on an empty tensor, with the arguments in
// PyTorch's order (generator-drawing ones from the default generator).
template <class T>
void run_init(const std::vector<std::string>& a, const std::vector<std::string>& outs, const std::string& where) {
  namespace init = ts::nn::init;
  ts::Shape shape;
  for (size_t at = 0; at < a[3].size();) {
    const size_t comma = std::min(a[3].find(',', at), a[3].size());
    shape.push_back(std::stoll(a[3].substr(at, comma - at)));
    at = comma + 1;
  }
  const ts::Tensor<T> t = ts::empty<T>(shape);
  const auto arg = [&](size_t i, double otherwise) { return a.size() > 4 + i ? std::stod(a[4 + i]) : otherwise; };
  const auto word = [&](size_t i, const char* otherwise) { return a.size() > 4 + i ? a[4 + i] : std::string(otherwise); };
  const std::string& fn = a[1];
  if (fn == "uniform") init::uniform_(t, arg(0, 0), arg(1, 1));
  else if (fn == "normal") init::normal_(t, arg(0, 0), arg(1, 1));
  else if (fn == "xavier_uniform") init::xavier_uniform_(t, arg(0, 1));
  else if (fn == "xavier_normal") init::xavier_normal_(t, arg(0, 1));
  else if (fn == "kaiming_uniform") init::kaiming_uniform_(t, arg(0, 0), word(1, "fan_in"), word(2, "leaky_relu"));
  else if (fn == "kaiming_normal") init::kaiming_normal_(t, arg(0, 0), word(1, "fan_in"), word(2, "leaky_relu"));
  else if (fn == "eye") init::eye_(t);
  else if (fn == "dirac") init::dirac_(t, static_cast<int64_t>(arg(0, 1)));
  else if (fn == "constant") init::constant_(t, arg(0, 0));
  else if (fn == "ones") init::ones_(t);
  else if (fn == "zeros") init::zeros_(t);
  else if (fn == "trunc_normal") init::trunc_normal_(t, arg(0, 0), arg(1, 1), arg(2, -2), arg(3, 2));
  else if (fn == "orthogonal") init::orthogonal_(t, arg(0, 1));
  else FAIL("unknown initialiser " << fn);
  // orthogonal_'s Q comes from Gram-Schmidt, PyTorch's from LAPACK's Householder QR: the same
  // matrix, rounded differently.
  check_out(t, outs.at(0), where, fn == "trunc_normal" ? 4 : fn == "orthogonal" ? 64 : 0);
}

void run(const std::string& call, const std::vector<std::string>& outs, const std::string& where) {
  const std::vector<std::string> a = golden::tokens(call);
  const std::string& op = a[0];
  if (op == "randint") {
    const int64_t low = std::stoll(a[2]), high = std::stoll(a[3]);
    const ts::Shape shape{std::stoll(a[4])};
    if (a[1] == "int64") return check_out(ts::randint<int64_t>(low, high, shape), outs.at(0), where);
    if (a[1] == "int32") return check_out(ts::randint<int32_t>(low, high, shape), outs.at(0), where);
    if (a[1] == "float32") return check_out(ts::randint<float>(low, high, shape), outs.at(0), where);
    return check_out(ts::randint<double>(low, high, shape), outs.at(0), where);
  }
  if (op == "random") {
    const auto go = [&]<class T>(T) {
      const auto t = ts::empty<T>({std::stoll(a[2])});
      if (a.size() == 3) t.random_();
      else if (a.size() == 4) t.random_(std::stoll(a[3]));
      else t.random_(std::stoll(a[3]), std::stoll(a[4]));
      check_out(t, outs.at(0), where);
    };
    if (a[1] == "int64") return go(int64_t{});
    if (a[1] == "int32") return go(int32_t{});
    if (a[1] == "uint8") return go(uint8_t{});
    if (a[1] == "float32") return go(float{});
    return go(double{});
  }
  if (op == "geometric") {
    const auto go = [&]<class T>(T) { check_out(ts::empty<T>({std::stoll(a[2])}).geometric_(std::stod(a[3])), outs.at(0), where); };
    if (a[1] == "int64") return go(int64_t{});
    if (a[1] == "int32") return go(int32_t{});
    if (a[1] == "uint8") return go(uint8_t{});
    if (a[1] == "float32") return go(float{});
    return go(double{});
  }
  if (op == "fractional_max_pool") {
    const auto go = [&]<class T>(T) {
      namespace F = ts::nn::functional;
      if (a[2] == "2") {
        const auto x = (ts::arange<int64_t>(0, 252) * 37).remainder(101).reshape({2, 3, 7, 6}).to<T>();
        const auto [values, indices] = F::fractional_max_pool2d_with_indices(x, 2, {4, 3});
        check_out(values, outs.at(0), where);
        return check_out(indices, outs.at(1), where);
      }
      const auto x = (ts::arange<int64_t>(0, 840) * 37).remainder(101).reshape({2, 2, 5, 6, 7}).to<T>();
      const auto [values, indices] = F::fractional_max_pool3d_with_indices(x, 2, {3, 4, 5});
      check_out(values, outs.at(0), where);
      check_out(indices, outs.at(1), where);
    };
    if (a[1] == "float32") return go(float{});
    return go(double{});
  }
  if (op == "binomial") {
    const auto list = [](std::string text) {
      std::replace(text.begin(), text.end(), ',', ' ');
      const std::vector<double> values = golden::values<double>(text);
      return ts::from_vector(values, {static_cast<int64_t>(values.size())});
    };
    if (a[1] == "float32") return check_out(ts::binomial(list(a[2]).to<float>(), list(a[3]).to<float>()), outs.at(0), where);
    return check_out(ts::binomial(list(a[2]), list(a[3])), outs.at(0), where);
  }
  if (op == "poisson" || op == "poisson_t") {
    const auto go = [&]<class T>(T) {
      ts::Tensor<T> rates;
      if (op == "poisson_t") {
        const int64_t rows = std::stoll(a[2]), cols = std::stoll(a[3]);
        rates = (ts::arange<double>(0, rows * cols) * 3.7).reshape({rows, cols}).to<T>().t();
      } else {
        std::string list = a[2];
        std::replace(list.begin(), list.end(), ',', ' ');
        const std::vector<double> values = golden::values<double>(list);
        rates = ts::from_vector(values, {static_cast<int64_t>(values.size())}).to<T>();
      }
      check_out(ts::poisson(rates).template to<double>(), outs.at(0), where);
    };
    if (a[1] == "float32") return go(float{});
    if (a[1] == "bfloat16") return go(ts::bfloat16{});
    return go(double{});
  }
  if (op == "randperm") return check_out(ts::randperm(std::stoll(a[1])), outs.at(0), where);
  if (op == "linear") {
    ts::nn::Linear m(std::stoll(a[1]), std::stoll(a[2]), a[3] == "1");
    check_out(m.weight(), outs.at(0), where);
    if (a[3] == "1") check_out(m.bias(), outs.at(1), where);
    return;
  }
  if (op == "conv2d") {
    ts::nn::Conv2d m(std::stoll(a[1]), std::stoll(a[2]), std::stoll(a[3]), {.bias = a[4] == "1"});
    check_out(m.weight(), outs.at(0), where);
    if (a[4] == "1") check_out(m.bias(), outs.at(1), where);
    return;
  }
  if (op == "conv_transpose1d" || op == "conv_transpose2d") {
    const int64_t in = std::stoll(a[1]), out = std::stoll(a[2]), k = std::stoll(a[3]), groups = std::stoll(a[4]);
    const bool bias = a[5] == "1";
    ts::Tensor<float> weight, b;
    if (op == "conv_transpose1d") {
      const ts::nn::ConvTranspose1d m(in, out, k, {.groups = groups, .bias = bias});
      weight = m.weight(), b = m.bias();
    } else {
      const ts::nn::ConvTranspose2d m(in, out, k, {.groups = groups, .bias = bias});
      weight = m.weight(), b = m.bias();
    }
    check_out(weight, outs.at(0), where);
    if (bias) check_out(b, outs.at(1), where);
    return;
  }
  if (op == "embedding") return check_out(ts::nn::Embedding(std::stoll(a[1]), std::stoll(a[2])).weight(), outs.at(0), where);
  if (op == "embedding_pad") {
    const ts::nn::Embedding e(std::stoll(a[1]), std::stoll(a[2]), std::stoll(a[3]));
    return check_out(e.weight(), outs.at(0), where);
  }
  if (op == "dropout2d") {
    const int64_t n = std::stoll(a[2]), c = std::stoll(a[3]), l = std::stoll(a[4]);
    const double p = std::stod(a[5]);
    const auto go = [&]<class T>(T) {
      const auto x = ts::arange<T>(1, static_cast<double>(n * c * l + 1)).reshape({n, c, l, 1});
      check_out(ts::nn::functional::dropout2d(x, p, true), outs.at(0), where);
    };
    if (a[1] == "float32") return go(float{});
    return go(double{});
  }
  if (op == "rrelu") {
    const auto go = [&]<class T>(T) {
      const auto x = ts::arange<T>(1, std::stod(a[2]) + 1) * T(0.25) - T(2);
      check_out(ts::nn::functional::rrelu(x, std::stod(a[3]), std::stod(a[4]), true), outs.at(0), where);
    };
    if (a[1] == "float32") return go(float{});
    return go(double{});
  }
  if (op == "gumbel_softmax") {
    const int64_t r = std::stoll(a[2]), c = std::stoll(a[3]);
    const auto go = [&]<class T>(T) {
      const auto x = ts::arange<T>(0, static_cast<double>(r * c)).reshape({r, c}).sin();
      // the draws are PyTorch's; sin, log and softmax may differ from its in the last bits
      check_out(ts::nn::functional::gumbel_softmax(x, std::stod(a[4]), a[5] == "1"), outs.at(0), where, 16);
    };
    if (a[1] == "float32") return go(float{});
    return go(double{});
  }
  if (op == "alpha_dropout") {
    const auto go = [&]<class T>(T) {
      const auto x = ts::arange<T>(1, std::stod(a[2]) + 1) * T(0.25) - T(2);
      check_out(ts::nn::functional::alpha_dropout(x, std::stod(a[3]), true), outs.at(0), where);
    };
    if (a[1] == "float32") return go(float{});
    return go(double{});
  }
  if (op == "feature_alpha_dropout") {
    const int64_t n = std::stoll(a[2]), c = std::stoll(a[3]), l = std::stoll(a[4]);
    const auto go = [&]<class T>(T) {
      const auto x = (ts::arange<T>(1, static_cast<double>(n * c * l + 1)) * T(0.25) - T(2)).reshape({n, c, l});
      check_out(ts::nn::functional::feature_alpha_dropout(x, std::stod(a[5]), true), outs.at(0), where);
    };
    if (a[1] == "float32") return go(float{});
    return go(double{});
  }
  if (op == "dropout1d") {
    const int64_t c = std::stoll(a[2]), l = std::stoll(a[3]);
    const double p = std::stod(a[4]);
    const auto go = [&]<class T>(T) {
      const auto x = ts::arange<T>(1, static_cast<double>(c * l + 1)).reshape({c, l});
      check_out(ts::nn::functional::dropout1d(x, p, true), outs.at(0), where);
    };
    if (a[1] == "float32") return go(float{});
    return go(double{});
  }
  if (op == "init_uniform") {
    const double b = std::stod(a[2]);
    return check_out(ts::nn::init::uniform_(ts::empty<float>({std::stoll(a[1])}), -b, b), outs.at(0), where);
  }
  if (op == "init_normal") return check_out(ts::nn::init::normal_(ts::empty<float>({std::stoll(a[1])})), outs.at(0), where);
  if (op == "init") {
    if (a[2] == "float32") return run_init<float>(a, outs, where);
    return run_init<double>(a, outs, where);
  }
  if (op == "gain") {
    const double gain = a.size() > 2 ? ts::nn::init::calculate_gain(a[1], std::stod(a[2])) : ts::nn::init::calculate_gain(a[1]);
    return check_out(ts::tensor({gain}), outs.at(0), where);
  }
  if (op == "loader") {
    const int64_t n = std::stoll(a[1]), b = std::stoll(a[2]), epochs = std::stoll(a[6]);
    const bool shuffle = a[3] == "1", drop_last = a[4] == "1", given = a[5] == "1";
    ts::data::TensorDataset<int64_t, int64_t> ds(ts::arange<int64_t>(0, static_cast<double>(n)), ts::arange<int64_t>(0, static_cast<double>(n)));
    ts::Generator g(1234, ts::RngAlgorithm::mt19937);
    const ts::data::DataLoaderOptions options{.batch_size = b, .shuffle = shuffle, .drop_last = drop_last};
    auto visit = [&](auto& loader) {
      for (int64_t e = 0; e < epochs; ++e) {
        std::vector<ts::Tensor<int64_t>> rows;
        for (auto [x, y] : loader) rows.push_back(x);
        check_out(rows.empty() ? ts::zeros<int64_t>({0}) : ts::cat(rows), outs.at(static_cast<size_t>(e)), where);
      }
    };
    if (given) {
      ts::data::DataLoader loader(ds, options, g);
      visit(loader);
      check_out(ts::rand({3}, g), outs.at(static_cast<size_t>(epochs)), where + " (generator after)");
    } else {
      ts::data::DataLoader loader(ds, options);
      visit(loader);
    }
    return;
  }
  if (a[1] == "float32") return run_floating<float>(a, outs, where);
  return run_floating<double>(a, outs, where);
}

}  // namespace

TEST_CASE("mt19937 words equal std::mt19937's for the low 32 bits of the seed", "[random][mt19937]") {
  for (uint64_t seed : {uint64_t{0}, uint64_t{5489}, uint64_t{42}, (uint64_t{1} << 32) + 7}) {
    ts::detail::Mt19937 e(seed);
    std::mt19937 reference(static_cast<uint32_t>(seed));
    for (int i = 0; i < 2000; ++i) REQUIRE(e() == reference());
    // runs (the bulk path) give the same words as calls
    std::vector<uint32_t> runs;
    e.for_runs(1500, [&](const uint32_t* w, int64_t m) {
      for (int64_t i = 0; i < m; ++i) runs.push_back(ts::detail::Mt19937::temper(w[i]));
    });
    for (uint32_t w : runs) REQUIRE(w == reference());
    CHECK(e() == reference());
  }
}

TEST_CASE("every sampler, layer and loader gives PyTorch 1.13's values after manual_seed", "[random][mt19937][golden]") {
  golden::DefaultMt19937 mt;
  for (const auto& r : golden::load("mt19937.txt")) {
    ts::manual_seed(std::stoull(r.get("seed")));
    std::string call;
    std::vector<std::string> outs;
    for (const auto& [key, value] : r.fields) {
      if (key == "call") call = value, outs.clear();
      else if (key == "out") outs.push_back(value);
      else if (key == "done") run(call, outs, r.name + ": " + call);
    }
  }
}

TEST_CASE("mt19937 state round-trips, cached normals included", "[random][mt19937]") {
  ts::Generator g(7, ts::RngAlgorithm::mt19937);
  CHECK(g.algorithm() == ts::RngAlgorithm::mt19937);
  ts::randn<double>({3}, g);  // leaves a cached normal
  ts::randn<float>({4}, g);
  const ts::GeneratorState saved = g.get_state();
  CHECK(saved.algorithm == ts::RngAlgorithm::mt19937);
  CHECK(saved.has_next_double_normal);
  const auto a = ts::randn({7}, g);
  const auto b = ts::rand<double>({1000}, g);
  const auto c = ts::randn({40}, g);
  g.set_state(saved);
  CHECK(ts::equal(ts::randn({7}, g), a));
  CHECK(ts::equal(ts::rand<double>({1000}, g), b));
  CHECK(ts::equal(ts::randn({40}, g), c));
  // a state moves between generators, and between algorithms
  ts::Generator other(1);
  other.set_state(saved);
  CHECK(other.algorithm() == ts::RngAlgorithm::mt19937);
  CHECK(ts::equal(ts::randn({7}, other), a));
  ts::Generator philox(3);
  const ts::GeneratorState p = philox.get_state();
  other.set_state(p);
  CHECK(other.algorithm() == ts::RngAlgorithm::philox4x32_10);
  CHECK(ts::equal(ts::rand({9}, other), ts::rand({9}, philox)));
  // manual_seed forgets the cached normal, as torch.manual_seed does
  g.manual_seed(7);
  ts::Generator fresh(7, ts::RngAlgorithm::mt19937);
  CHECK(ts::equal(ts::randn({3}, g), ts::randn({3}, fresh)));
  CHECK(g.get_state() == fresh.get_state());
}

TEST_CASE("mt19937 errors name the operation", "[random][mt19937][errors]") {
  ts::Generator g(1, ts::RngAlgorithm::mt19937);
  CHECK_THROWS_WITH(g.offset(), "Generator::offset: an mt19937 generator has no offset");
  CHECK_THROWS_WITH(g.set_offset(3), "Generator::set_offset: an mt19937 generator has no offset");
  ts::GeneratorState bad = g.get_state();
  bad.mt19937.resize(10);
  CHECK_THROWS_WITH(g.set_state(bad), Catch::StartsWith("Generator::set_state: an mt19937 state holds 626 words"));
  bad = g.get_state();
  bad.mt19937[624] = 0;  // left must be in [1, 624]
  CHECK_THROWS_WITH(g.set_state(bad), "Generator::set_state: Invalid mt19937 state");
  CHECK_THROWS_WITH(ts::empty({3}).bernoulli_(1.5, g), Catch::StartsWith("bernoulli_: bernoulli_ expects p to be in [0, 1]"));
}

TEST_CASE("set_default_rng_algorithm switches the default generator and back", "[random][mt19937]") {
  {
    golden::DefaultMt19937 mt;
    CHECK(ts::default_generator().algorithm() == ts::RngAlgorithm::mt19937);
    ts::manual_seed(42);
    // torch.manual_seed(42); torch.rand(2, 3)
    const std::vector<float> want = {0.8822692632675171f, 0.9150039553642273f, 0.38286375999450684f,
                                     0.9593056440353394f, 0.3904482126235962f, 0.600895345211029f};
    CHECK(ts::rand({2, 3}).to_vector() == want);
  }
  CHECK(ts::default_generator().algorithm() == ts::RngAlgorithm::philox4x32_10);
}

TEST_CASE("mt19937 draws are the same for any thread count and on large tensors", "[random][mt19937][threads]") {
  auto draw = [] {
    ts::Generator g(99, ts::RngAlgorithm::mt19937);
    std::vector<double> all;
    for (float v : ts::randn({100003}, g).to_vector()) all.push_back(v);
    for (double v : ts::randn<double>({30001}, g).to_vector()) all.push_back(v);
    for (float v : ts::rand({70001}, g).to_vector()) all.push_back(v);
    return all;
  };
  ts::set_num_threads(1);
  const auto one = draw();
  ts::set_num_threads(2);
  CHECK(draw() == one);
  ts::set_num_threads(3);
  CHECK(draw() == one);
}

TEST_CASE("mt19937 float randn gives the same bits at every vector width", "[random][mt19937]") {
  auto draw = [] {
    ts::Generator g(5, ts::RngAlgorithm::mt19937);
    return ts::randn({100007}, g).to_vector();
  };
  const auto widest = draw();
  ts::detail::simd_level_cap().store(0, ts::detail::MemoryOrder::Relaxed);  // SSE2
  const auto narrow = draw();
  ts::detail::simd_level_cap().store(-1, ts::detail::MemoryOrder::Relaxed);
  CHECK(std::memcmp(narrow.data(), widest.data(), widest.size() * sizeof(float)) == 0);
}

TEST_CASE("nn::init refuses what torch.nn.init refuses", "[random][init]") {
  namespace init = ts::nn::init;
  CHECK(error_of([] { init::xavier_uniform_(ts::empty<float>({5})); }) ==
        "xavier_uniform_: Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (got [5])");
  CHECK(error_of([] { init::kaiming_normal_(ts::empty<float>({5, 2}), 0, "fan_avg"); }) ==
        "kaiming_normal_: Mode fan_avg not supported, please use one of fan_in, fan_out");
  CHECK(error_of([] { init::calculate_gain("softsign"); }) == "calculate_gain: Unsupported nonlinearity softsign");
  CHECK(error_of([] { init::eye_(ts::empty<float>({2, 2, 2})); }) ==
        "eye_: Only tensors with 2 dimensions are supported (got [2, 2, 2])");
  CHECK(error_of([] { init::dirac_(ts::empty<float>({2, 2})); }) ==
        "dirac_: Only tensors with 3, 4, or 5 dimensions are supported (got [2, 2])");
  CHECK(error_of([] { init::dirac_(ts::empty<float>({5, 2, 3}), 2); }) ==
        "dirac_: dim 0 must be divisible by groups (size 5, groups 2)");
  CHECK(error_of([] { init::orthogonal_(ts::empty<float>({4})); }) ==
        "orthogonal_: Only tensors with 2 or more dimensions are supported (got [4])");
  // A tensor without elements is left alone by kaiming (PyTorch warns), and draws nothing.
  ts::manual_seed(3);
  const ts::Tensor<float> a = ts::rand({4});
  ts::manual_seed(3);
  init::kaiming_uniform_(ts::empty<float>({0, 3}));
  CHECK(ts::rand({4}).to_vector() == a.to_vector());
}

TEST_CASE("Embedding's padding row gets no gradient; from_pretrained shares and freezes", "[random][init]") {
  ts::nn::Embedding e(5, 2, 1);
  CHECK(e.padding_idx() == std::optional<int64_t>{1});
  CHECK(e.weight()[1].to_vector() == std::vector<float>{0, 0});
  e(ts::tensor({1, 3, 1, 0})).sum().backward();
  CHECK(e.weight().grad()[1].to_vector() == std::vector<float>{0, 0});  // PyTorch: the padding row's gradient is 0
  CHECK(e.weight().grad()[3].to_vector() == std::vector<float>{1, 1});
  const ts::Tensor<float> table = ts::randn({4, 3});
  const auto frozen = ts::nn::Embedding::from_pretrained(table);
  CHECK(!frozen.weight().requires_grad());
  CHECK(frozen.weight().data_ptr() == table.data_ptr());
  CHECK(ts::nn::Embedding::from_pretrained(table, false, -1).padding_idx() == std::optional<int64_t>{3});
  CHECK(error_of([] { ts::nn::Embedding(4, 2, 4); }) == "Embedding: Padding_idx must be within num_embeddings (got 4 for 4 embeddings)");
  CHECK(error_of([] { ts::nn::functional::dropout2d(ts::ones<float>({3}), 0.5); }) ==
        "dropout2d: expected an input [N, C, ...], got shape [3]");
  CHECK(error_of([] { ts::nn::functional::dropout1d(ts::ones<float>({1, 2, 3, 4}), 0.5); }) ==
        "dropout1d: Expected 2D or 3D input, but received a 4D input. Note that dropout1d exists to provide "
        "channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch "
        "dimension (i.e. 2D or 3D inputs).");
}

}  // namespace test_random_mt19937
