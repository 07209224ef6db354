// Views: sizes, strides, offsets and values against PyTorch; storage sharing; errors.

#include "golden.hpp"

namespace test_view {

namespace {

// Applies "name(args)" as written by generate.py to a tensor.
ts::Tensor<float> apply_view(const ts::Tensor<float>& t, const std::string& call) {
  const auto open = call.find('(');
  const std::string name = call.substr(0, open);
  std::string args = call.substr(open + 1, call.size() - open - 2);
  std::vector<std::vector<int64_t>> groups;  // tuples in parentheses, or single numbers
  std::vector<int64_t> flat;
  for (size_t i = 0; i < args.size();) {
    if (args[i] == '(') {
      const auto close = args.find(')', i);
      std::string inner = args.substr(i + 1, close - i - 1);
      for (char& c : inner) if (c == ',') c = ' ';
      groups.push_back(golden::ints(inner));
      i = close + 1;
    } else if (args[i] == '-' || std::isdigit(static_cast<unsigned char>(args[i]))) {
      size_t used;
      const int64_t v = std::stoll(args.substr(i), &used);
      flat.push_back(v);
      groups.push_back({v});
      i += used;
    } else {
      ++i;
    }
  }
  if (name == "view") return t.view(flat);
  if (name == "reshape") return t.reshape(flat);
  if (name == "transpose") return t.transpose(flat[0], flat[1]);
  if (name == "permute") return t.permute(flat);
  if (name == "squeeze") return flat.empty() ? t.squeeze() : t.squeeze(flat[0]);
  if (name == "unsqueeze") return t.unsqueeze(flat[0]);
  if (name == "flatten") return flat.empty() ? t.flatten() : flat.size() == 1 ? t.flatten(flat[0]) : t.flatten(flat[0], flat[1]);
  if (name == "narrow") return t.narrow(flat[0], flat[1], flat[2]);
  if (name == "select") return t.select(flat[0], flat[1]);
  if (name == "unfold") return t.unfold(flat[0], flat[1], flat[2]);
  if (name == "diagonal") {
    if (flat.empty()) return t.diagonal();
    return t.diagonal(flat[0], flat.size() > 1 ? flat[1] : 0, flat.size() > 2 ? flat[2] : 1);
  }
  if (name == "as_strided") {
    if (groups.size() > 2) return t.as_strided(groups[0], groups[1], groups[2][0]);
    return t.as_strided(groups[0], groups[1]);
  }
  if (name == "expand") return t.expand(flat);
  if (name == "contiguous") return t.contiguous();
  if (name == "t") return t.t();
  FAIL("unknown view " << call);
  return t;
}

}  // namespace

TEST_CASE("view chains give PyTorch's sizes, strides, offsets and values", "[view]") {
  for (const auto& r : golden::load("views.txt")) {
    INFO("case " << r.name);
    const auto base = golden::source<double>(r).to<float>();  // every source is exact in float
    ts::Tensor<float> t = base;
    for (const auto& op : r.all("op")) t = apply_view(t, op);
    CHECK(t.sizes() == ts::Shape(golden::ints(r.get("sizes"))));
    CHECK(t.strides() == ts::Shape(golden::ints(r.get("strides"))));
    CHECK(t.storage_offset() == golden::ints(r.get("offset")).at(0));
    CHECK(t.to_vector() == golden::values<float>(r.get("result")));
    CHECK(t.clone().strides() == ts::Shape(golden::ints(r.get("clone_strides"))));
  }
}

TEST_CASE("views share storage and see each other's writes", "[view]") {
  auto x = ts::arange(12).reshape({3, 4});
  auto t = x.t();
  auto row = x[1];
  auto cols = x.slice(1, 1, 4, 2);
  auto windows = x.flatten().unfold(0, 3, 3);
  auto diag = x.diagonal();
  for (auto* v : {&t, &row, &cols, &windows, &diag}) CHECK(v->storage().is_alias_of(x.storage()));
  t.index_put_({2, 1}, 100);  // x[1][2]
  CHECK(row.to_vector() == std::vector<int64_t>{4, 5, 100, 7});
  CHECK(windows.select(0, 2).to_vector() == std::vector<int64_t>{100, 7, 8});
  cols.fill_(-1);
  CHECK(x.to_vector() == std::vector<int64_t>{0, -1, 2, -1, 4, -1, 100, -1, 8, -1, 10, -1});
  diag.fill_(0);
  CHECK(x.index({2, 2}).item() == 0);
}

TEST_CASE("view refuses incompatible layouts; reshape copies then", "[view][errors]") {
  auto x = ts::arange(6.0).reshape({2, 3});
  CHECK_THROWS_WITH(x.t().view({6}), Catch::StartsWith("view: view size is not compatible with input tensor's size "
                                                        "and stride"));
  auto r = x.t().reshape({6});
  CHECK_FALSE(r.storage().is_alias_of(x.storage()));
  CHECK(r.to_vector() == std::vector<float>{0, 3, 1, 4, 2, 5});
  CHECK(x.reshape({3, 2}).storage().is_alias_of(x.storage()));
  CHECK_THROWS_WITH(x.view({4, 2}), "view: shape '[4, 2]' is invalid for input of size 6");
  CHECK_THROWS_WITH(x.view({-1, -1}), Catch::Contains("only one dimension can be inferred"));
  CHECK_THROWS_WITH(x.reshape({-1, 4}), Catch::Contains("is invalid for input of size 6"));
}

TEST_CASE("view ops reject bad dims and indices", "[view][errors]") {
  auto x = ts::zeros({3, 4});
  CHECK_THROWS_WITH(x.select(0, 3), "select: select(): index 3 out of range for tensor of size [3, 4] at dimension 0");
  CHECK_THROWS_WITH(x.select(1, -5), Catch::Contains("index -5 out of range"));
  CHECK_THROWS_WITH(x[5], Catch::Contains("index 5 out of range"));
  CHECK_THROWS_WITH(x.transpose(0, 2), Catch::Contains("dimension out of range"));
  CHECK_THROWS_WITH(x.permute({0, 0}), Catch::Contains("repeated dim"));
  CHECK_THROWS_WITH(x.permute({0}), Catch::Contains("number of dims don't match"));
  CHECK_THROWS_WITH(x.narrow(1, 2, 3), "narrow: start (2) + length (3) exceeds dimension size (4).");
  CHECK_THROWS_WITH(x.slice(0, 0, 2, 0), Catch::Contains("slice step must be positive"));
  CHECK_THROWS_WITH(x.unfold(1, 5, 1), Catch::Contains("maximum size for tensor at dimension 1 is 4"));
  CHECK_THROWS_WITH(x.expand({2, 4}), Catch::Contains("must match the existing size (3) at non-singleton dimension 0"));
  CHECK_THROWS_WITH(ts::zeros({2, 3, 4}).t(), "t: t() expects a tensor with <= 2 dimensions, but self is 3D");
  CHECK_THROWS_WITH(x.as_strided({4, 4}, {4, 1}), Catch::Contains("out of bounds for storage of size 48"));
  CHECK_THROWS_WITH(x.as_strided({2}, {1}, 11), Catch::Contains("out of bounds"));
  CHECK_THROWS_WITH(x.as_strided({2, 2}, {1, -1}), Catch::Contains("negative strides"));
  CHECK_THROWS_WITH(x.as_strided({4, 4}, {INT64_MAX / 2, 1}), Catch::Contains("overflow"));
  CHECK_THROWS_WITH(x.diagonal(0, 1, 1), Catch::Contains("diagonal dimensions cannot be identical"));
  CHECK_THROWS_WITH(x.flatten(1, 0), Catch::Contains("cannot come after end_dim"));
  CHECK_THROWS_WITH(ts::tensor(1.0).select(0, 0), Catch::Contains("0-dim"));
}

TEST_CASE("0-dim tensors: the dims PyTorch accepts", "[view]") {
  auto s = ts::tensor(3.0);
  CHECK(s.unsqueeze(0).sizes() == ts::Shape{1});
  CHECK(s.squeeze().dim() == 0);
  CHECK(s.squeeze(0).dim() == 0);
  CHECK(s.flatten().sizes() == ts::Shape{1});
  CHECK(s.t().dim() == 0);
  CHECK(s.view({1, 1}).sizes() == ts::Shape{1, 1});
  CHECK(s.expand({2, 2}).to_vector() == std::vector<float>{3, 3, 3, 3});
}

// Note [Sizes that overflow]. Expected values and messages from PyTorch 1.13: torch.ones(1, 1)
// .expand(2**32, 2**32) raises "numel: integer multiplication overflow", torch.zeros(0, 2**62,
// 2**62) has strides (0, 2**62, 1), torch.arange(10.)[0:1:2].stride() is (2,), and
// torch.zeros(0, 2**62, 4).view(0, -1) raises "cannot reshape tensor of 0 elements ...".
TEST_CASE("sizes, strides and extents that overflow int64_t are refused, never computed", "[view][errors]") {
  const int64_t big = int64_t{1} << 32, huge = int64_t{1} << 62;
  CHECK_THROWS_WITH(ts::ones({1, 1}).expand({big, big}),
                    "expand: shape [4294967296, 4294967296] has more elements than int64_t can count");
  CHECK(ts::ones({1, 1}).expand({int64_t{1} << 31, int64_t{1} << 31}).numel() == int64_t{1} << 62);

  const auto empty = ts::zeros<float>({0, huge, huge});  // an empty tensor may have any dims
  CHECK(empty.strides() == ts::Shape{0, huge, 1});
  CHECK(empty.transpose(0, 2).contiguous().numel() == 0);
  CHECK(empty.reshape({-1}).sizes() == ts::Shape{0});
  // PyTorch: e.sum() is 0, e.unsqueeze(0).stride() (0, 0, 2**62, 1), e.transpose(1, 2)
  // .contiguous().stride() (0, 1, 2**62), and e prints as tensor([], size=(0, 2**62, 2**62)).
  CHECK(empty.sum().item() == 0);
  CHECK(empty.sum(1).sizes() == ts::Shape{0, huge});
  CHECK(empty.unsqueeze(0).strides() == ts::Shape{0, 0, huge, 1});
  CHECK(empty.transpose(1, 2).contiguous().strides() == ts::Shape{0, 1, huge});
  CHECK((empty + 1.0f).sizes() == empty.sizes());
  CHECK(ts::cat({empty, empty}, 0).sizes() == empty.sizes());
  CHECK(ts::zeros<float>({0, huge}).matmul(ts::zeros<float>({huge, 0})).sizes() == ts::Shape{0, 0});
  CHECK(ts::to_string(empty) == "tensor([], size=(0, 4611686018427387904, 4611686018427387904))");
  CHECK_THROWS_WITH(ts::zeros<float>({0, huge, 4}).view({0, -1}),
                    "view: cannot reshape tensor of 0 elements into shape [0, -1] because the unspecified dimension "
                    "size -1 can be any value and is ambiguous");
  CHECK_THROWS_WITH(ts::ones({4}).reshape({huge, huge, 0}),
                    "reshape: shape '[4611686018427387904, 4611686018427387904, 0]' is invalid for input of size 4");
  CHECK_THROWS_WITH(ts::ones({4}).reshape({huge, huge, -1}),
                    "reshape: shape '[4611686018427387904, 4611686018427387904, -1]' is invalid for input of size 4");

  const auto x = ts::arange(10.0f);
  const int64_t max = std::numeric_limits<int64_t>::max(), min = std::numeric_limits<int64_t>::min();
  CHECK(x.slice(0, 0, std::nullopt, max).to_vector() == std::vector<float>{0});
  CHECK(x.slice(0, min, max, 3).to_vector() == std::vector<float>{0, 3, 6, 9});
  CHECK(x.slice(0, 0, 1, 2).strides() == ts::Shape{2});
  CHECK(x.slice(0, 10, 10, 3).numel() == 0);
  CHECK(x.unfold(0, 4, max).sizes() == ts::Shape{1, 4});
  CHECK(x.unfold(0, 4, max).to_vector() == std::vector<float>{0, 1, 2, 3});

  CHECK_THROWS_WITH(x.as_strided({2, 2}, {max, 1}),
                    "as_strided: storage size calculation overflowed with sizes=[2, 2] and strides=[9223372036854775807, 1]");
  float data[4] = {};
  CHECK_THROWS_WITH(ts::from_blob(data, {2, 2}, {max, 1}),
                    "from_blob: storage size calculation overflowed with sizes=[2, 2] and strides=[9223372036854775807, 1]");
  CHECK_THROWS_WITH(ts::from_blob(data, {2, 2}, {max / 2, 1}), Catch::StartsWith("from_blob: shape [2, 2] with strides [4611686018427387903, 1] needs more than"));
}

}  // namespace test_view
