// Printing, byte for byte against PyTorch 1.13 (tests/golden/print_cases.txt).

#include "golden.hpp"

namespace test_print {

namespace {

template <class T>
ts::Tensor<T> apply_op(const ts::Tensor<T>& t, const std::string& op) {
  const auto tok = golden::tokens(op);
  std::vector<int64_t> a;
  for (size_t i = 1; i < tok.size(); ++i) a.push_back(std::stoll(tok[i]));
  if (tok[0] == "transpose") return t.transpose(a[0], a[1]);
  if (tok[0] == "permute") return t.permute(a);
  if (tok[0] == "slice") return t.slice(a[0], a[1], a[2], a[3]);
  if (tok[0] == "select") return t.select(a[0], a[1]);
  if (tok[0] == "expand") return t.expand(a);
  if (tok[0] == "unsqueeze") return t.unsqueeze(a[0]);
  if (tok[0] == "diagonal") return t.diagonal(a[0], a[1], a[2]);
  FAIL("unknown op " << op);
  return t;
}

ts::PrintOptions parse_options(const std::string& s) {
  ts::PrintOptions o;
  for (const auto& kv : golden::tokens(s)) {
    const auto eq = kv.find('=');
    const std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
    if (key == "precision") o.precision = std::stoi(value);
    else if (key == "threshold") o.threshold = std::stoll(value);
    else if (key == "edgeitems") o.edgeitems = std::stoi(value);
    else if (key == "linewidth") o.linewidth = std::stoi(value);
    else if (key == "sci_mode") o.sci_mode = value == "True";
  }
  return o;
}

}  // namespace

TEST_CASE("printing matches PyTorch for every golden case", "[print]") {
  const auto records = golden::load("print_cases.txt");
  REQUIRE(records.size() >= 300);
  for (const auto& r : records) {
    INFO("case " << r.name);
    ts::set_printoptions(r.has("options") ? parse_options(r.get("options")) : ts::PrintOptions{});
    std::string text;
    ts::dispatch(golden::dtype(r.get("dtype")), [&]<class T>(std::type_identity<T>) {
      ts::Tensor<T> t = golden::source<T>(r);
      for (const auto& op : r.all("op")) t = apply_op(t, op);
      if (r.has("requires_grad")) {
        if constexpr (ts::is_floating_v<T>) t = t.detach().requires_grad_(true);
      }
      text = ts::to_string(t);
    });
    ts::set_printoptions({});
    CHECK(text == r.expect);
  }
}

TEST_CASE("operator<< prints like to_string and leaves the stream's flags alone", "[print]") {
  const auto t = ts::tensor({1.5, 2.25});
  std::ostringstream os;
  os << std::hex << std::setprecision(2) << std::showpos;
  const auto flags = os.flags();
  os << t;
  CHECK(os.str() == "tensor([1.5000, 2.2500])");
  CHECK(os.flags() == flags);
  CHECK(os.precision() == 2);
  os.str("");
  os << 255;
  CHECK(os.str() == "ff");
}

TEST_CASE("Shape, DType and Device print as PyTorch spells them", "[print]") {
  std::ostringstream os;
  os << ts::Shape{2, 3} << " " << ts::Shape{} << " " << ts::DType::Float64 << " " << ts::DType::BFloat16 << " "
     << ts::Device::cpu() << " " << ts::Device::metal();
  CHECK(os.str() == "torch.Size([2, 3]) torch.Size([]) torch.float64 torch.bfloat16 cpu metal:0");
}

TEST_CASE("print options PyTorch cannot print with are errors, not out-of-bounds reads", "[print]") {
  // torch.set_printoptions(threshold=5, edgeitems=0); print(torch.zeros(2, 5)) raises in torch.stack
  ts::PrintOptions no_edges;
  no_edges.threshold = 5, no_edges.edgeitems = 0;
  ts::set_printoptions(no_edges);
  CHECK_THROWS_WITH(ts::to_string(ts::zeros({2, 5})), Catch::StartsWith("print: stack expects a non-empty TensorList"));
  CHECK(ts::to_string(ts::zeros({2, 2})) == "tensor([[0., 0.],\n        [0., 0.]])");  // not summarized
  ts::set_printoptions({});
  ts::PrintOptions negative;
  negative.edgeitems = -1;
  CHECK_THROWS_WITH(ts::set_printoptions(negative), Catch::Contains("must not be negative"));
  negative = {};
  negative.precision = -2;
  CHECK_THROWS_WITH(ts::set_printoptions(negative), Catch::Contains("must not be negative"));
  CHECK(ts::get_printoptions().edgeitems == 3);
}

TEST_CASE("an undefined tensor prints without throwing", "[print]") {
  CHECK(ts::to_string(ts::Tensor<float>()) == "[ Tensor (undefined) ]");
}

}  // namespace test_print
