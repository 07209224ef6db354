// io/: Eigen maps and copies, .npy and safetensors files written by NumPy (tests/golden/io),
// round trips, and malformed inputs. Files for tests/io_check.py go to TESSERA_IO_OUT.

#include <Eigen/Dense>

#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

#include "error_of.hpp"
#include "golden.hpp"

namespace test_io {

using ts::Tensor;

namespace {

const std::string kDir = std::string(TESSERA_GOLDEN_DIR) + "/io/";

/** arange(n) reshaped, in T (bool: odd elements true): the rule make_files.py uses. */
template <class T>
Tensor<T> pattern(const ts::Shape& shape) {
  const auto flat = ts::arange(static_cast<int64_t>(ts::detail::checked_numel(shape, "pattern")));
  if constexpr (std::is_same_v<T, bool>) return (ts::remainder(flat, 2) == 1).reshape(shape);
  else return flat.to<T>().reshape(shape);
}

std::string bytes_of(const std::string& path) { return ts::detail::read_file(path, "test"); }

/** A safetensors image: the header's length, the header, the data. */
std::string safetensors_bytes(const std::string& header, const std::string& data) {
  std::string out;
  for (int i = 0; i < 8; ++i) out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return out + header + data;
}

std::map<std::string, ts::AnyTensor> parse_safetensors(const std::string& bytes,
                                                       std::map<std::string, std::string>* metadata = nullptr) {
  return ts::detail::parse_safetensors(bytes.data(), bytes.size(), nullptr, metadata);
}

/** A .npy image with the given header dict (format 1.0, or 2.0 when it is long) and data. */
std::string npy_bytes(const std::string& dict, const std::string& data) {
  const bool v2 = dict.size() + 11 > 65535;
  const size_t prefix = v2 ? 12 : 10;
  std::string h = dict + std::string(63 - (prefix + dict.size()) % 64, ' ') + "\n";
  std::string out = std::string("\x93NUMPY", 6) + static_cast<char>(v2 ? 2 : 1) + '\0';
  for (size_t i = 0; i < (v2 ? 4u : 2u); ++i) out += static_cast<char>((h.size() >> (8 * i)) & 0xff);
  return out + h + data;
}

// A folder of this process's own: test programs of several builds may run at once.
std::filesystem::path scratch_dir() {
  return std::filesystem::temp_directory_path() / ("tessera_test_io_" + std::to_string(::getpid()));
}
struct RemoveScratchDir {
  ~RemoveScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(scratch_dir(), ignored);
  }
} remove_scratch_dir;

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// How long (processor time) a test of 200,000 keys may take. Generous, so that sanitizer builds
// (-O0, five times slower) pass easily: it only has to catch quadratic behaviour, which takes
// a minute in a release build and much longer under the sanitizers.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kLinearSeconds = 60;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr double kLinearSeconds = 60;
#else
constexpr double kLinearSeconds = 10;
#endif
#else
constexpr double kLinearSeconds = 10;
#endif

/** The processor seconds this process has used: unlike wall time, not stretched when other
 *  processes share a busy machine. */
double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

/** `n` copies of `item` separated by commas. */
std::string repeated(const std::string& item, size_t n) {
  std::string out;
  out.reserve(n * (item.size() + 1));
  for (size_t i = 0; i < n; ++i) (out += i ? "," : "") += item;
  return out;
}

}  // namespace

TEST_CASE("from_eigen copies matrices, arrays and expressions of either storage order") {
  Eigen::Matrix<double, 2, 3> m;
  m << 1, 2, 3, 4, 5, 6;
  CHECK(ts::from_eigen(m).to_vector() == std::vector<double>{1, 2, 3, 4, 5, 6});
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r(2, 2);
  r << 1, 2, 3, 4;
  CHECK(ts::from_eigen(r).to_vector() == std::vector<float>{1, 2, 3, 4});
  Eigen::ArrayXXi a(2, 2);
  a << 7, 8, 9, 10;
  auto ta = ts::from_eigen(a);
  STATIC_REQUIRE(std::is_same_v<decltype(ta), Tensor<int>>);
  CHECK(ta.to_vector() == std::vector<int>{7, 8, 9, 10});
  CHECK(ts::from_eigen(m * m.transpose()).to_vector() == std::vector<double>{14, 32, 32, 77});
  CHECK(ts::from_eigen(Eigen::Vector3d(1, 2, 3)).sizes() == ts::Shape{3, 1});
  CHECK(ts::from_eigen(m, {.requires_grad = true}).requires_grad());
}

TEST_CASE("as_eigen maps any strides without copying, and writes through") {
  auto t = pattern<float>({3, 4});
  auto map = ts::as_eigen(t);
  CHECK(map.rows() == 3);
  CHECK(map(2, 1) == 9);
  auto tt = ts::as_eigen(t.t());  // column stride 4: a transposed view
  CHECK(tt(1, 2) == 9);
  tt(1, 2) = -1;
  CHECK(t[2][1].item() == -1);
  auto sliced = ts::as_eigen(t.slice(1, 1, std::nullopt, 2));
  CHECK(sliced.cols() == 2);
  CHECK(sliced(1, 1) == 7);
  Eigen::MatrixXf product = ts::as_eigen(t) * ts::as_eigen(t.t());
  CHECK(product(0, 0) == Approx(0 + 1 + 4 + 9));
  CHECK_THROWS_WITH(ts::as_eigen(ts::ones({3})), Catch::Contains("expected a 2-D tensor"));
  CHECK_THROWS_WITH(ts::as_eigen(ts::ones({1, 3}).expand({2, 3})), Catch::Contains("stride 0"));
}

TEMPLATE_TEST_CASE("load_npy reads NumPy's files of every dtype", "", bool, uint8_t, int8_t, int16_t, int32_t, int64_t,
                   ts::half, ts::bfloat16, float, double) {
  static const std::map<ts::DType, std::string> code = {
      {ts::DType::Bool, "b1"},   {ts::DType::UInt8, "u1"},  {ts::DType::Int8, "i1"},    {ts::DType::Int16, "i2"},
      {ts::DType::Int32, "i4"},  {ts::DType::Int64, "i8"},  {ts::DType::Float16, "f2"}, {ts::DType::BFloat16, "bf16"},
      {ts::DType::Float32, "f4"}, {ts::DType::Float64, "f8"}};
  const std::string path = kDir + code.at(ts::dtype_of<TestType>) + "_c.npy";
  const Tensor<TestType> t = ts::load_npy<TestType>(path);
  CHECK(t.sizes() == ts::Shape{2, 3});
  CHECK(ts::equal(t, pattern<TestType>({2, 3})));
  const ts::AnyTensor any = ts::load_npy(path);
  CHECK(any.dtype() == ts::dtype_of<TestType>);
}

TEST_CASE("load_npy: Fortran order, 0-d, empty, big-endian, format versions 2 and 3") {
  CHECK(ts::equal(ts::load_npy<double>(kDir + "f8_fortran.npy"), pattern<double>({2, 3, 4})));
  const auto scalar = ts::load_npy<float>(kDir + "f4_scalar.npy");
  CHECK(scalar.dim() == 0);
  CHECK(scalar.item() == 3.5f);
  CHECK(ts::load_npy<int64_t>(kDir + "i8_empty.npy").sizes() == ts::Shape{0, 3});
  CHECK(ts::equal(ts::load_npy<double>(kDir + "f8_big.npy"), pattern<double>({2, 3})));
  CHECK(ts::equal(ts::load_npy<int32_t>(kDir + "i4_big.npy"), pattern<int32_t>({2, 3})));
  CHECK(ts::equal(ts::load_npy<float>(kDir + "f4_v2.npy"), pattern<float>({2, 3})));
  CHECK(ts::equal(ts::load_npy<float>(kDir + "f4_v3.npy"), pattern<float>({2, 3})));
  CHECK_THROWS_WITH(ts::load_npy<float>(kDir + "f8_c.npy"), Catch::Contains("torch.float64") &&
                                                              Catch::Contains("torch.float32"));
  CHECK_THROWS_WITH(ts::load_npy(kDir + "missing.npy"), Catch::Contains("cannot open"));
}

TEST_CASE("saving to a path that cannot be written throws ts::Error naming the path") {
  const auto t = ts::ones({2, 3});
  const std::map<std::string, ts::AnyTensor> named = {{"t", ts::AnyTensor(t)}};
  CHECK_THROWS_WITH(ts::save_npy("/nonexistent-dir/t.npy", t),
                    Catch::Contains("save_npy: cannot create '/nonexistent-dir/t.npy'"));
  CHECK_THROWS_WITH(ts::save_safetensors("/nonexistent-dir/t.safetensors", named),
                    Catch::Contains("save_safetensors: cannot create"));
  // /dev/full accepts the open and fails the writes: the error comes when the file is closed.
  CHECK_THROWS_WITH(ts::save_npy("/dev/full", t), Catch::Contains("save_npy: writing '/dev/full' failed"));
  CHECK_THROWS_WITH(ts::save_safetensors("/dev/full", named), Catch::Contains("save_safetensors: writing"));
}

TEST_CASE("load_npy rejects every malformed input with ts::Error") {
  const std::string good = bytes_of(kDir + "f4_c.npy");
  auto parse = [](const std::string& bytes) { return ts::detail::parse_npy(bytes.data(), bytes.size(), "buffer"); };
  CHECK_NOTHROW(parse(good));
  for (size_t cut = 0; cut < good.size(); ++cut) CHECK_THROWS_AS(parse(good.substr(0, cut)), ts::Error);
  std::string bad_magic = good;
  bad_magic[1] = 'X';
  CHECK_THROWS_WITH(parse(bad_magic), Catch::Contains("bad magic"));
  auto with_header = [&](const std::string& dict) {
    std::string h = dict;
    h += std::string(63 - (10 + h.size()) % 64, ' ') + "\n";
    std::string out = std::string("\x93NUMPY\x01\x00", 8);
    out += static_cast<char>(h.size() & 0xff);
    out += static_cast<char>(h.size() >> 8);
    return out + h + std::string(24, '\0');
  };
  CHECK_NOTHROW(parse(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")));
  CHECK_THROWS_WITH(parse(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }")),
                    Catch::Contains("truncated"));
  CHECK_THROWS_WITH(parse(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4), }")),
                    Catch::Contains("too large"));
  CHECK_THROWS_WITH(parse(with_header("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }")),
                    Catch::Contains("unsupported dtype"));
  CHECK_THROWS_WITH(parse(with_header("{'descr': '<f4', 'shape': (2,), }")), Catch::Contains("must give"));
  CHECK_THROWS_WITH(parse(with_header("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }")),
                    Catch::Contains("True or False"));
  CHECK_THROWS_WITH(parse(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }")),
                    Catch::Contains("malformed header"));
  CHECK_THROWS_WITH(parse(with_header("{'descr': '<f4, 'fortran_order': False, 'shape': (2,), }")),
                    Catch::Contains("malformed header"));
  std::string lying = good;
  lying[8] = '\xff';  // header length beyond the file
  lying[9] = '\x7f';
  CHECK_THROWS_WITH(parse(lying), Catch::Contains("the header claims"));
}

TEST_CASE("save_npy and load_npy round-trip every dtype, any strides, 0-d and empty") {
  const auto dir = scratch_dir();
  std::filesystem::create_directories(dir);
  auto round_trip = [&]<class T>(const Tensor<T>& t) {
    const std::string path = (dir / "rt.npy").string();
    ts::save_npy(path, t);
    const Tensor<T> back = ts::load_npy<T>(path);
    CHECK(back.sizes() == t.sizes());
    CHECK(ts::equal(back, t));
  };
  round_trip(pattern<float>({3, 4}).t());
  round_trip(pattern<int64_t>({2, 3, 4}).slice(2, 1, std::nullopt, 2));
  round_trip(pattern<bool>({5}));
  round_trip(pattern<ts::bfloat16>({2, 2}));
  round_trip(ts::full<double>({}, 2.25));
  round_trip(ts::zeros<int16_t>({0, 4}));
}

TEST_CASE("load_safetensors reads a file of every dtype with metadata") {
  std::map<std::string, std::string> metadata;
  auto named = ts::load_safetensors(kDir + "all_dtypes.safetensors", &metadata);
  CHECK(metadata == std::map<std::string, std::string>{{"format", "pt"}, {"source", "numpy"}});
  CHECK(named.size() == 12);
  CHECK(ts::equal(named.at("t_b1").as<bool>(), pattern<bool>({2, 3})));
  CHECK(ts::equal(named.at("t_u1").as<uint8_t>(), pattern<uint8_t>({2, 3})));
  CHECK(ts::equal(named.at("t_i1").as<int8_t>(), pattern<int8_t>({2, 3})));
  CHECK(ts::equal(named.at("t_i2").as<int16_t>(), pattern<int16_t>({2, 3})));
  CHECK(ts::equal(named.at("t_i4").as<int32_t>(), pattern<int32_t>({2, 3})));
  CHECK(ts::equal(named.at("t_i8").as<int64_t>(), pattern<int64_t>({2, 3})));
  CHECK(ts::equal(named.at("t_f2").as<ts::half>(), pattern<ts::half>({2, 3})));
  CHECK(ts::equal(named.at("t_bf16").as<ts::bfloat16>(), pattern<ts::bfloat16>({2, 3})));
  CHECK(ts::equal(named.at("t_f4").as<float>(), pattern<float>({2, 3})));
  CHECK(ts::equal(named.at("t_f8").as<double>(), pattern<double>({2, 3})));
  CHECK(named.at("scalar").as<float>().item() == 3.5f);
  CHECK(named.at("empty").sizes() == ts::Shape{0, 3});
  // Mapped, copy-on-write: writing a loaded tensor changes neither the file nor other loads.
  named.at("t_f4").as<float>().fill_(9.0f);
  CHECK(ts::equal(ts::load_safetensors(kDir + "all_dtypes.safetensors").at("t_f4").as<float>(), pattern<float>({2, 3})));
}

TEST_CASE("a missing key names itself and the keys there are") {
  const ts::NamedTensors named = ts::load_safetensors(kDir + "all_dtypes.safetensors");
  const std::string message = error_of([&] { (void)named.at("t_f5"); });
  CHECK(message.find("no tensor named 't_f5'") != std::string::npos);
  CHECK(message.find("'empty', 'scalar'") != std::string::npos);
  CHECK(error_of([] { (void)ts::nn::Linear(2, 3).state_dict().at("wieght"); }) ==
        "NamedTensors::at: no tensor named 'wieght' (2 names: 'bias', 'weight')");
  const std::map<std::string, ts::AnyTensor>& as_map = named;  // still a std::map
  CHECK(as_map.count("t_f4") == 1);
}

TEST_CASE("save_safetensors writes what load_safetensors and NumPy read (see io_check.py)") {
  const char* out_dir = TESSERA_IO_OUT;
  std::filesystem::create_directories(out_dir);
  std::map<std::string, ts::AnyTensor> named;
  auto add = [&]<class T>(const std::string& code) {
    const Tensor<T> t = pattern<T>({3, 4}).t();  // non-contiguous on purpose
    ts::save_npy(std::string(out_dir) + "/out_" + code + ".npy", t);
    named["t_" + code] = t;
  };
  add.operator()<bool>("b1");
  add.operator()<uint8_t>("u1");
  add.operator()<int8_t>("i1");
  add.operator()<int16_t>("i2");
  add.operator()<int32_t>("i4");
  add.operator()<int64_t>("i8");
  add.operator()<ts::half>("f2");
  add.operator()<ts::bfloat16>("bf16");
  add.operator()<float>("f4");
  add.operator()<double>("f8");
  const std::map<std::string, std::string> metadata = {{"k", "v"}, {"quote\"d", "line\nbreak"}};
  const std::string path = std::string(out_dir) + "/out.safetensors";
  ts::save_safetensors(path, named, metadata);
  std::map<std::string, std::string> back_meta;
  const auto back = ts::load_safetensors(path, &back_meta);
  CHECK(back_meta == metadata);
  REQUIRE(back.size() == named.size());
  for (const auto& entry : named) {  // not a structured binding: clang 14 cannot capture one
    const std::string& name = entry.first;
    const ts::AnyTensor& t = entry.second;
    INFO(name);
    CHECK(back.at(name).dtype() == t.dtype());
    CHECK(back.at(name).sizes() == t.sizes());
    ts::dispatch(t.dtype(), [&]<class T>(std::type_identity<T>) { CHECK(ts::equal(back.at(name).as<T>(), t.as<T>())); });
  }
}

TEST_CASE("load_safetensors rejects malformed files with ts::Error") {
  auto file = [](const std::string& header, const std::string& data) {
    std::string out;
    for (int i = 0; i < 8; ++i) out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
    return out + header + data;
  };
  auto parse = [](const std::string& bytes) {
    return ts::detail::parse_safetensors(bytes.data(), bytes.size(), nullptr);
  };
  const std::string ok = file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", std::string(8, '\0'));
  CHECK(parse(ok).at("a").sizes() == ts::Shape{2});
  for (size_t cut = 0; cut < ok.size(); ++cut) CHECK_THROWS_AS(parse(ok.substr(0, cut)), ts::Error);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", "needs 12 bytes"},
      {R"({"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}})", "does not have"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}})", "outside"},
      {R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", "tile the data"},
      {R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "after the last tensor"},
      {R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", "non-negative integer"},
      {R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,8]}})", "too large"},
      {R"({"a":{"dtype":"F32","shape":[2]}})", "two data_offsets"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},})", "malformed JSON"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{}})", "duplicate key"},
      {R"({"__metadata__":{"k":1},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "not a string"},
      {R"(["a"])", "must be a JSON object"},
      {R"({"a":"\ud800"})", "unpaired surrogate"},
      {std::string(100, '[') + std::string(100, ']'), "deeper than 64"},
  };
  for (const auto& [header, message] : bad) {
    INFO(header);
    CHECK_THROWS_WITH(parse(file(header, std::string(8, '\0'))), Catch::Contains(message));
  }
  std::string huge = ok;
  huge[7] = '\x01';  // header length of 2^56 bytes
  CHECK_THROWS_WITH(parse(huge), Catch::Contains("does not fit"));
  std::string bools = file(R"({"a":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})", std::string("\x01\x07", 2));
  CHECK(parse(bools).at("a").as<bool>().to_vector() == std::vector<bool>{true, true});
}

TEST_CASE("the JSON reader accepts RFC 8259 and nothing else") {
  auto parse = [](const std::string& text) { return ts::detail::JsonReader(text, "json").parse_document(); };
  const auto v = parse(R"( {"a": [1, -2.5e3, true, false, null], "s": "q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "o": {}} )");
  REQUIRE(v.kind == ts::detail::JsonValue::Kind::Object);
  const auto* a = v.find("a");
  REQUIRE(a);
  CHECK(a->items.size() == 5);
  CHECK(a->items[1].text == "-2.5e3");
  CHECK(a->items[2].boolean);
  CHECK(a->items[4].kind == ts::detail::JsonValue::Kind::Null);
  CHECK(v.find("s")->text == "q\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
  CHECK(v.find("o")->keys.empty());
  CHECK(v.find("missing") == nullptr);
  for (const char* bad : {"", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "\"\\x\"", "\"\\u12\"", "\"a", "tru", "{} x",
                          "{\"a\" 1}", "[1 2]", "\"\t\"", "{1:2}", "\"\\udc00\""})
    CHECK_THROWS_AS(parse(bad), ts::Error);
  CHECK(ts::detail::json_quote("a\"b\\c\n") == R"("a\"b\\c\u000a")");
  const auto round = parse(ts::detail::json_quote(std::string("x\x01y\"")));
  CHECK(round.text == std::string("x\x01y\""));
}

TEST_CASE("an empty .npy array whose other dims multiply past int64 loads (found by the fuzzer)") {
  const std::string crash = ts::detail::read_file(kDir + "../../../fuzz/corpus/npy/empty_huge_dims.npy", "test");
  const ts::AnyTensor t = ts::detail::parse_npy(crash.data(), crash.size(), "buffer");
  CHECK(t.numel() == 0);
  CHECK(t.sizes()[3] == 308888889888888);
}

// --- hostile files: time and memory follow the file and what its header declares ----------

TEST_CASE("load_safetensors handles 200,000 keys in time linear in the header") {
  // Checking each key against every earlier one took 2.6 s for 40,000 keys and would take
  // about a minute here; a tree takes well under a second (see kLinearSeconds).
  constexpr int n = 200000;
  const double start = cpu_seconds();
  auto entry = [](int i) {
    return "\"t" + std::to_string(i) + "\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[" + std::to_string(i) + "," +
           std::to_string(i + 1) + "]}";
  };
  std::string tensors = "{";
  for (int i = 0; i < n; ++i) (tensors += i ? "," : "") += entry(i);
  const auto named = parse_safetensors(safetensors_bytes(tensors + "}", std::string(n, '\x07')));
  CHECK(named.size() == n);
  CHECK(named.at("t199999").as<uint8_t>().item() == 7);
  // The same keys, the last one repeating the first.
  CHECK_THROWS_WITH(parse_safetensors(safetensors_bytes(tensors + "," + entry(0) + "}", std::string(n + 1, '\0'))),
                    Catch::Contains("duplicate key 't0'"));
  CHECK(cpu_seconds() - start < kLinearSeconds);
}

TEST_CASE("load_safetensors handles 200,000 metadata keys, or unknown keys in an entry, in linear time") {
  constexpr int n = 200000;
  const double start = cpu_seconds();
  std::string metadata = "{\"__metadata__\":{", extra = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]";
  for (int i = 0; i < n; ++i) {
    (metadata += i ? ",\"k" : "\"k") += std::to_string(i) + "\":\"v\"";
    extra += ",\"x" + std::to_string(i) + "\":[" + std::to_string(i) + ",{\"y\":null}]";  // unknown keys: ignored
  }
  std::map<std::string, std::string> meta;
  CHECK(parse_safetensors(safetensors_bytes(metadata + "}}", ""), &meta).empty());
  CHECK(meta.size() == n);
  CHECK(parse_safetensors(safetensors_bytes(extra + "}}", "x")).size() == 1);
  CHECK_THROWS_WITH(parse_safetensors(safetensors_bytes(metadata + ",\"k0\":\"w\"}}", "")),
                    Catch::Contains("duplicate key 'k0'"));
  CHECK_THROWS_WITH(parse_safetensors(safetensors_bytes(extra + ",\"x0\":1}}", "x")), Catch::Contains("duplicate key 'x0'"));
  CHECK(cpu_seconds() - start < kLinearSeconds);
}

TEST_CASE("load_safetensors refuses a shape at its 65th dimension, without reading the rest of it") {
  // A million dims: the limit used to be checked after the whole array was parsed into a JSON
  // tree (10 million took 1.7 GB and 40 s). The byte offset in the message shows where the
  // reader stopped: at the 65th dimension.
  const std::string prefix = R"({"a":{"dtype":"F32","shape":[)";
  const std::string suffix = R"(],"data_offsets":[0,0]}})";
  const std::string huge = prefix + repeated("0", 1000000) + suffix;
  CHECK_THROWS_WITH(parse_safetensors(safetensors_bytes(huge, "")),
                    Catch::Contains("tensor 'a' has too many dimensions") &&
                        Catch::Contains("at byte " + std::to_string(prefix.size() + 2 * 64) + " of the header"));
  CHECK(parse_safetensors(safetensors_bytes(prefix + repeated("0", 64) + suffix, "")).at("a").dim() == 64);
  CHECK_THROWS_WITH(parse_safetensors(safetensors_bytes(prefix + repeated("0", 65) + suffix, "")),
                    Catch::Contains("too many dimensions"));
  // data_offsets is refused at its third number, a dimension that is not a number at once.
  CHECK_THROWS_WITH(parse_safetensors(safetensors_bytes(
                        R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[)" + repeated("0", 1000000) + "]}}", "")),
                    Catch::Contains("two data_offsets"));
  CHECK_THROWS_WITH(parse_safetensors(safetensors_bytes(prefix + R"("2"],"data_offsets":[0,8]}})", "")),
                    Catch::Contains("a dimension must be a non-negative integer"));
  // Nesting in an ignored value is limited too (the stack stays small), and so is the
  // header length (100 MiB, checked against the file before anything is read).
  CHECK_THROWS_WITH(parse_safetensors(safetensors_bytes(
                        R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0],"x":)" + std::string(1000000, '['), "")),
                    Catch::Contains("deeper than 64"));
  std::string long_header = safetensors_bytes("{}", "");
  long_header[3] = '\x10';  // 256 MiB + 2
  CHECK_THROWS_WITH(parse_safetensors(long_header), Catch::Contains("does not fit"));
}

TEST_CASE("the JSON reader limits nesting and container length, and finds duplicate keys in n log n") {
  using ts::detail::JsonReader;
  CHECK_THROWS_WITH(JsonReader(std::string(1000000, '['), "json").parse_document(),
                    Catch::Contains("at byte 64: nesting deeper than 64 levels"));
  CHECK_NOTHROW(JsonReader(std::string(64, '[') + std::string(64, ']'), "json").parse_document());
  const std::string long_array = "[" + repeated("0", 2000) + "]";
  CHECK(JsonReader(long_array, "json").parse_document().items.size() == 2000);
  CHECK_THROWS_WITH(JsonReader(long_array, "json", {.max_depth = 64, .max_items = 1000}).parse_document(),
                    Catch::Contains("at byte 2001: more than 1000 elements in an array"));
  CHECK_THROWS_WITH(JsonReader("{" + repeated("\"k\":0", 3) + "}", "json", {.max_depth = 4, .max_items = 2}).skip(),
                    Catch::Contains("more than 2 members"));
  // The default: 2^20 elements, refused while skipping, so nothing of it is kept.
  const std::string too_long = "[" + repeated("0", (size_t{1} << 20) + 1) + "]";
  CHECK_THROWS_WITH(JsonReader(too_long, "json").skip(), Catch::Contains("more than 1048576 elements"));

  const double start = cpu_seconds();
  std::string object = "{";
  for (int i = 0; i < 200000; ++i) (object += i ? ",\"" : "\"") += std::to_string(i) + "\":" + std::to_string(i);
  CHECK(JsonReader(object + "}", "json").parse_document().keys.size() == 200000);
  CHECK_THROWS_WITH(JsonReader(object + ",\"\\u0031\":0}", "json").parse_document(), Catch::Contains("duplicate key '1'"));
  CHECK(cpu_seconds() - start < kLinearSeconds);

  // The pull interface, as the safetensors reader walks a header.
  JsonReader pull(R"( {"n": [1, 22], "s": "x\n", "skip": {"a": [true, null]}} )", "json");
  pull.enter('{');
  size_t members = 0, items = 0;
  REQUIRE(pull.next('}', members));
  CHECK(pull.key() == "n");
  pull.enter('[');
  std::vector<std::string> numbers;
  while (pull.next(']', items)) numbers.emplace_back(pull.number_value());
  CHECK(numbers == std::vector<std::string>{"1", "22"});
  REQUIRE(pull.next('}', members));
  CHECK(pull.key() == "s");
  CHECK(pull.string_value() == "x\n");
  REQUIRE(pull.next('}', members));
  CHECK(pull.key() == "skip");
  pull.skip();
  CHECK_FALSE(pull.next('}', members));
  CHECK(members == 3);
  CHECK_NOTHROW(pull.finish());
  CHECK_THROWS_WITH(JsonReader(R"({"a": {"b": 1, "b": 2}})", "json").skip(), Catch::Contains("duplicate key 'b'"));
  CHECK(ts::detail::json_index(std::string_view("9223372036854775807"), "json", "n") == INT64_MAX);
  for (const char* bad : {"9223372036854775808", "1e3", "1.0", "-1", "01234567890123456789", ""})
    CHECK_THROWS_AS(ts::detail::json_index(std::string_view(bad), "json", "n"), ts::Error);
}

TEST_CASE("load_npy checks the declared size against the file before allocating, and reads no further") {
  const auto dir = scratch_dir();
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "hostile.npy").string();
  // 16 TiB declared, 64 bytes present: refused from the file's size, nothing allocated.
  write_bytes(path, npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4398046511104,), }", std::string(64, '\0')));
  CHECK_THROWS_WITH(ts::load_npy(path), Catch::Contains("the data is truncated") &&
                                            Catch::Contains("needs 17592186044416 bytes, the file has 64"));
  // A million dims: refused at the 65th (the offset is inside the header text).
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  write_bytes(path, npy_bytes(dict + repeated("1", 1000000) + "), }", ""));
  CHECK_THROWS_WITH(ts::load_npy(path), Catch::Contains("malformed header at byte " + std::to_string(dict.size() + 2 * 64) +
                                                        ": too many dimensions"));
  // Bytes after the data are allowed and ignored, as NumPy ignores them (and never read).
  const auto expected = pattern<float>({2, 3});
  std::string data(reinterpret_cast<const char*>(expected.data_ptr()), 24);
  write_bytes(path, npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data + std::string(1 << 20, 'x')));
  CHECK(ts::equal(ts::load_npy<float>(path), expected));
  // Every truncation of a file throws, read from the file as from memory.
  const std::string good = bytes_of(kDir + "f8_fortran.npy");
  for (size_t cut = 0; cut < good.size(); cut += 7) {
    write_bytes(path, good.substr(0, cut));
    CHECK_THROWS_AS(ts::load_npy(path), ts::Error);
  }
  // A pipe has no size: it is read whole first, then parsed as the same bytes.
  const std::string fifo = (dir / "pipe.npy").string();
  std::filesystem::remove(fifo);
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::thread writer([&] { write_bytes(fifo, good); });
  const auto from_pipe = ts::load_npy<double>(fifo);
  writer.join();
  CHECK(ts::equal(from_pipe, pattern<double>({2, 3, 4})));
  std::filesystem::remove(fifo);
}

}  // namespace test_io
