// t.index({...}) and index_put_ with integers, Slice, None, Ellipsis, masks and index tensors
// (against PyTorch), index_select, gather and scatter.

#include "error_of.hpp"
#include "golden.hpp"

namespace test_indexing {

namespace {

// Parses generate.py's index spec: i<int>, s<start>:<stop>:<step>, n, e, t<shape>[values], m<shape>[values].
// Masks (m...) as bool, or as uint8 when `uint8_masks` (PyTorch 1.13 reads those as masks too).
std::vector<ts::TensorIndex> parse_index(const std::string& text, bool uint8_masks = false) {
  std::vector<ts::TensorIndex> out;
  for (const auto& tok : golden::tokens(text)) {
    if (tok == "n") {
      out.push_back(ts::None);
    } else if (tok == "e") {
      out.push_back(ts::Ellipsis);
    } else if (tok[0] == 'i') {
      out.push_back(std::stoll(tok.substr(1)));
    } else if (tok[0] == 's') {
      std::vector<std::optional<int64_t>> parts;
      std::string rest = tok.substr(1) + ":";
      for (size_t p; (p = rest.find(':')) != std::string::npos; rest = rest.substr(p + 1)) {
        const std::string v = rest.substr(0, p);
        parts.push_back(v == "_" ? std::nullopt : std::optional<int64_t>(std::stoll(v)));
      }
      out.push_back(ts::Slice(parts[0], parts[1], parts[2]));
    } else {
      const auto bracket = tok.find('[');
      const std::string shape_text = tok.substr(1, bracket - 1), values_text = tok.substr(bracket + 1, tok.size() - bracket - 2);
      ts::Shape shape;
      if (shape_text != "0d") {
        std::string s = shape_text + "x";
        for (size_t p; (p = s.find('x')) != std::string::npos; s = s.substr(p + 1)) shape.push_back(std::stoll(s.substr(0, p)));
      }
      std::vector<int64_t> values;
      std::string v = values_text;
      for (char& c : v) if (c == ',') c = ' ';
      values = golden::ints(v);
      if (tok[0] == 'm' && uint8_masks)
        out.push_back(ts::from_vector(std::vector<uint8_t>(values.begin(), values.end()), shape));
      else if (tok[0] == 'm') out.push_back(ts::from_vector(std::vector<bool>(values.begin(), values.end()), shape));
      else out.push_back(ts::from_vector(values, shape));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("advanced indexing matches PyTorch", "[indexing]") {
  const bool uint8_masks = GENERATE(false, true);
  std::vector<std::string> warnings;
  static std::vector<std::string>* sink = nullptr;
  sink = &warnings;
  const ts::WarningHandler previous = ts::set_warning_handler([](const std::string& m) { sink->push_back(m); });
  int checked = 0;
  for (const auto& r : golden::load("indexing.txt")) {
    INFO("case " << r.name << (uint8_masks ? ", uint8 masks" : ""));
    const auto x = ts::arange(60.0).reshape({3, 4, 5});
    const auto index = parse_index(r.get("index"), uint8_masks);
    ts::Tensor<float> out;
    if (r.get("op") == "index") {
      out = x.index(index);
    } else {
      const auto value = ts::from_vector(golden::values<float>(r.get("value")), ts::Shape(golden::ints(r.get("value_shape"))));
      out = x.clone();
      if (index.size() == 1) out.index_put_({index[0]}, value);
      else if (index.size() == 2) out.index_put_({index[0], index[1]}, value);
      else out.index_put_({index[0], index[1], index[2]}, value);
    }
    CHECK(out.sizes() == ts::Shape(golden::ints(r.get("result_shape"))));
    CHECK(out.to_vector() == golden::values<float>(r.get("result")));
    ++checked;
  }
  CHECK(checked >= 28);
  ts::set_warning_handler(previous);
  if (uint8_masks) {
    REQUIRE(!warnings.empty());
    CHECK(warnings[0] == "indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool instead.");
  } else {
    CHECK(warnings.empty());
  }
}

TEST_CASE("uint8 masks in masked_fill and where act as bool masks, with PyTorch's warnings", "[indexing]") {
  std::vector<std::string> warnings;
  static std::vector<std::string>* sink = nullptr;
  sink = &warnings;
  const ts::WarningHandler previous = ts::set_warning_handler([](const std::string& m) { sink->push_back(m); });
  const auto x = ts::arange(6.0f).reshape({2, 3});
  const auto mask = ts::tensor<uint8_t>({{0, 2, 0}, {1, 0, 255}});
  const auto as_bool = mask.ne(0);
  CHECK(ts::equal(x.masked_fill(mask, -1.0f), x.masked_fill(as_bool, -1.0f)));
  CHECK(ts::equal(x.clone().masked_fill_(mask, -1.0f), x.masked_fill(as_bool, -1.0f)));
  CHECK(ts::equal(ts::where(mask, x, -x), ts::where(as_bool, x, -x)));
  CHECK(ts::equal(ts::where(mask, x, 7.0f), ts::where(as_bool, x, 7.0f)));
  ts::set_warning_handler(previous);
  REQUIRE(warnings.size() == 4);
  CHECK(warnings[0] == "masked_fill_ received a mask with dtype torch.uint8, this behavior is now deprecated,please "
                       "use a mask with dtype torch.bool instead.");
  CHECK(warnings[2] == "where received a uint8 condition tensor. This behavior is deprecated and will be removed in "
                       "a future version of PyTorch. Use a boolean condition instead.");
}

TEST_CASE("index_select, gather and scatter", "[indexing]") {
  auto x = ts::arange(12).reshape({3, 4});
  CHECK(x.index_select(1, ts::tensor({3, 0})).to_vector() == std::vector<int64_t>{3, 0, 7, 4, 11, 8});
  CHECK(ts::index_select(x, 0, ts::tensor({2})).sizes() == ts::Shape{1, 4});
  CHECK(x.gather(1, ts::tensor({{0, 0}, {1, 0}, {3, 2}})).to_vector() == std::vector<int64_t>{0, 0, 5, 4, 11, 10});
  CHECK(ts::gather(x, 0, ts::tensor({{2, 1, 0, 0}})).to_vector() == std::vector<int64_t>{8, 5, 2, 3});
  CHECK(x.scatter(0, ts::tensor({{2, 1, 0, 0}}), -1).to_vector() ==
        std::vector<int64_t>{0, 1, -1, -1, 4, -1, 6, 7, -1, 9, 10, 11});
  auto y = ts::zeros({2, 3});
  y.scatter_(1, ts::tensor({{2}, {0}}), ts::tensor({{5.0}, {7.0}}));
  CHECK(y.to_vector() == std::vector<float>{0, 0, 5, 7, 0, 0});
  CHECK_THROWS_WITH(x.gather(1, ts::tensor({{4}})), Catch::Contains("gather: index 4 is out of bounds for dimension 1 with size 4"));
  CHECK_THROWS_WITH(x.gather(1, ts::tensor({0})), Catch::Contains("same number of dimensions"));
  CHECK_THROWS_WITH(x.index_select(0, ts::tensor({{0}})), Catch::Contains("Index is supposed to be a vector"));
  CHECK_THROWS_WITH(x.index({ts::tensor({5})}), Catch::Contains("index: index 5 is out of bounds for dimension 0 with size 3"));
  CHECK_THROWS_WITH(x.index({ts::tensor({true, false})}), Catch::Contains("The shape of the mask [2] at index 0 does not match"));
  CHECK_THROWS_WITH(x.index({ts::tensor({0, 1}), ts::tensor({0, 1, 2})}), Catch::Contains("cannot be broadcast"));
  CHECK_THROWS_WITH(x.index({ts::tensor({0.5})}), Catch::Contains("must be long, int or bool tensors"));
}

TEST_CASE("index follows Python's basic indexing", "[index]") {
  auto x = ts::arange(24).reshape({2, 3, 4});
  auto a = x.index({ts::Slice(0, 2), 1, ts::None, ts::Ellipsis});
  CHECK(a.sizes() == ts::Shape{2, 1, 4});
  CHECK(a.to_vector() == std::vector<int64_t>{4, 5, 6, 7, 16, 17, 18, 19});
  CHECK(a.storage().is_alias_of(x.storage()));
  CHECK(x.index({ts::Ellipsis, -1}).to_vector() == std::vector<int64_t>{3, 7, 11, 15, 19, 23});
  CHECK(x.index({1, ts::Slice(ts::None, ts::None, 2), ts::Slice(-2)}).sizes() == ts::Shape{2, 2});
  CHECK(x.index({ts::None, ts::None}).sizes() == ts::Shape{1, 1, 2, 3, 4});
  CHECK(x.index({}).sizes() == x.sizes());
  CHECK(x.index({ts::Slice(5, 10)}).sizes() == ts::Shape{0, 3, 4});
  CHECK(x.index({ts::Slice(-100, 100)}).sizes() == ts::Shape{2, 3, 4});
  CHECK(x.index({1, 2, 3}).item() == 23);
}

TEST_CASE("index_put_ writes a value or a broadcast tensor", "[index]") {
  auto x = ts::zeros<int32_t>({3, 4});
  x.index_put_({ts::Slice(), 1}, 5);
  x.index_put_({2, ts::Slice(2)}, ts::tensor<int32_t>({8, 9}));
  x.index_put_({0}, ts::tensor<int32_t>(1));
  CHECK(x.to_vector() == std::vector<int32_t>{1, 1, 1, 1, 0, 5, 0, 0, 0, 5, 8, 9});
}

TEST_CASE("bad indices throw", "[index][errors]") {
  auto x = ts::zeros({2, 3});
  CHECK_THROWS_WITH(x.index({0, 0, 0}), "index: too many indices for tensor of dimension 2 (got 3)");
  CHECK_THROWS_WITH(x.index({ts::Ellipsis, ts::Ellipsis}), Catch::Contains("single ellipsis"));
  // PyTorch's words, with the index's position in the list as its dimension.
  CHECK_THROWS_WITH(x.index({2}), "index: index 2 is out of bounds for dimension 0 with size 2");
  CHECK_THROWS_WITH(x.index({0, 7}), "index: index 7 is out of bounds for dimension 1 with size 3");
  CHECK_THROWS_WITH(x.index({ts::None, 0, -4}), "index: index -4 is out of bounds for dimension 2 with size 3");
  CHECK_THROWS_WITH(x.index({ts::Ellipsis, 3}), "index: index 3 is out of bounds for dimension 1 with size 3");
  CHECK_THROWS_WITH(x.index_put_({1, 3}, 1.f), "index_put_: index 3 is out of bounds for dimension 1 with size 3");
  CHECK_THROWS_WITH(x.index({ts::Slice(0, 2, 0)}), Catch::Contains("slice step must be positive"));
}

TEST_CASE("index_put_ refuses values or indices that overlap the written tensor, as PyTorch does") {
  const std::string overlap = "index_put_: unsupported operation: some elements of the input tensor and the "
                              "written-to tensor refer to a single memory location";
  auto x = ts::arange(4);
  CHECK_THROWS_WITH(x.index_put_({ts::tensor({1, 0, 3, 2})}, x), Catch::Contains(overlap));
  CHECK_THROWS_WITH(x.index_put_({x}, ts::tensor(5)), Catch::Contains(overlap));
  auto y = ts::arange(8.0f);
  CHECK_THROWS_WITH(y.index_put_({ts::tensor({0, 1})}, y.index({ts::Slice(4, 6)})), Catch::Contains(overlap));
  CHECK(x.to_vector() == std::vector<int64_t>{0, 1, 2, 3});
  x.index_put_({ts::tensor({1, 0, 3, 2})}, x.clone());
  CHECK(x.to_vector() == std::vector<int64_t>{1, 0, 3, 2});
}

TEST_CASE("0-dim index tensors and masks index as PyTorch's do", "[index]") {
  // torch: y = torch.arange(6.).reshape(2, 3); y[torch.tensor(1)].fill_(-1) writes y's row 1 (a view)
  auto y = ts::arange(6.0f).reshape({2, 3});
  y.index({ts::tensor<int32_t>(1)}).fill_(-1);
  CHECK(y.to_vector() == std::vector<float>{0, 1, 2, -1, -1, -1});
  CHECK_THROWS_WITH(y.index({ts::tensor(2)}), "index: index 2 is out of bounds for dimension 0 with size 2");
  // torch.tensor(5.)[torch.tensor(True)] is tensor([5.]), [torch.tensor(False)] has shape [0]
  CHECK(ts::tensor(5.0f).index({ts::tensor(true)}).to_vector() == std::vector<float>{5});
  CHECK(ts::tensor(5.0f).index({ts::tensor(false)}).sizes() == ts::Shape{0});
  // x[m, 0:1] with a 2-D mask m: the slice takes the view's dim 1, which the mask then covers
  const auto x = ts::arange(8.0f).reshape({2, 2, 2});
  const auto m = ts::tensor({{true, false}, {true, true}});
  CHECK_THROWS_WITH(x.index({m, ts::Slice(0, 1)}), "index: The shape of the mask [2, 2] at index 1 does not match the "
                                                   "shape of the indexed tensor [2, 1, 2] at index 1");
}

TEST_CASE("writes into an expanded tensor: refused where PyTorch refuses them", "[index][errors]") {
  const std::string overlap = "unsupported operation: more than one element of the written-to tensor refers to a "
                              "single memory location";
  const auto expanded = [] { return ts::zeros({1}).expand({3}); };
  const auto at0 = ts::tensor({0});
  CHECK_THROWS_WITH(expanded().scatter_(0, at0, ts::ones({1})), Catch::Contains(overlap));
  CHECK_THROWS_WITH(expanded().scatter_add_(0, at0, ts::ones({1})), Catch::Contains(overlap));
  CHECK_THROWS_WITH(expanded().index_add_(0, at0, ts::ones({1})), Catch::Contains(overlap));
  CHECK_THROWS_WITH(expanded().index_copy_(0, at0, ts::ones({1})), Catch::Contains(overlap));
  CHECK_THROWS_WITH(expanded().masked_scatter_(ts::tensor({true, false, true}), ts::ones({3})), Catch::Contains(overlap));
  // index_put_ writes one value to all of them, as PyTorch's does
  CHECK(expanded().index_put_({at0}, ts::ones({1})).to_vector() == std::vector<float>{1, 1, 1});
  // and sources of another dtype than self's are refused by index_put_ and scatter_ (copy_ converts)
  CHECK_THROWS_WITH(ts::zeros({3}).index_put_({at0}, ts::tensor({2})),
                    "index_put_: Index put requires the source and destination dtypes match, got Float for the "
                    "destination and Long for the source.");
  CHECK_THROWS_WITH(ts::zeros({3}).scatter(0, at0, ts::ones<double>({1})),
                    "scatter_: scatter(): Expected self.dtype to be equal to src.dtype");
}

TEST_CASE("an undefined index tensor is an error, not a crash") {
  auto x = ts::arange(4);
  CHECK_THROWS_WITH(x.index({ts::Tensor<int64_t>()}), Catch::Contains("index: an index tensor is undefined"));
}

TEST_CASE("index_select, gather and scatter refuse indices outside [0, size), as PyTorch does", "[indexing][errors]") {
  // Note [index_select bounds]; messages from torch 1.13 (x[idx] and index_put_ still wrap -1)
  const auto v = ts::tensor({1.0, 2.0, 3.0});
  CHECK_THROWS_WITH(v.index_select(0, ts::tensor({-1})), "index_select: index out of range in self");
  CHECK_THROWS_WITH(v.index_select(0, ts::tensor({3})), "index_select: index out of range in self");
  const auto m = ts::ones({2, 3, 4});
  CHECK_THROWS_WITH(m.index_select(0, ts::tensor({-1})), "index_select: index out of range in self");
  CHECK_THROWS_WITH(m.index_select(2, ts::tensor({0, 4})), "index_select: index out of range in self");
  CHECK_THROWS_WITH(m.index_select(1, ts::tensor({-1})), "index_select: INDICES element is out of DATA bounds, id=-1 axis_dim=3");
  CHECK_THROWS_WITH(m.transpose(0, 1).index_select(1, ts::tensor({2})),
                    "index_select: INDICES element is out of DATA bounds, id=2 axis_dim=2");
  CHECK_THROWS_WITH(ts::ones({0, 3}).index_select(0, ts::tensor({0})),
                    "index_select: index_select(): self indexing axis dim should be positive");
  CHECK(ts::ones({0, 3}).index_select(0, ts::empty<int64_t>({0})).sizes() == ts::Shape{0, 3});
  // a 0-dim tensor is one element along dim 0 (or -1); the result stays 0-dim
  const auto s = ts::tensor(5.0);
  CHECK(s.index_select(0, ts::tensor({0})).dim() == 0);
  CHECK(s.index_select(0, ts::tensor({0})).item() == 5.0f);
  CHECK(s.index_select(-1, ts::tensor(0)).item() == 5.0f);
  CHECK(s.index_select(0, ts::tensor({0, 0})).sizes() == ts::Shape{});
  CHECK_THROWS_WITH(s.index_select(0, ts::tensor({1})), "index_select: index out of range in self");
  CHECK_THROWS_WITH(s.index_select(0, ts::tensor({-1})), "index_select: index out of range in self");
  // gather and scatter name the index and the size
  CHECK_THROWS_WITH(v.gather(0, ts::tensor({-1})), "gather: index -1 is out of bounds for dimension 0 with size 3");
  CHECK_THROWS_WITH(ts::ones({2, 3}).gather(1, ts::tensor({{0}, {-1}})),
                    "gather: index -1 is out of bounds for dimension 1 with size 3");
  CHECK_THROWS_WITH(ts::zeros({3}).scatter_(0, ts::tensor({-1}), ts::ones({1})),
                    "scatter_: index -1 is out of bounds for dimension 0 with size 3");
  CHECK_THROWS_WITH(ts::zeros({3}).scatter_(0, ts::tensor({-1}), 1.0), Catch::Contains("index -1 is out of bounds"));
  // advanced indexing keeps Python's wrap of negative indices
  CHECK(v.index({ts::tensor({-1})}).to_vector() == std::vector<float>{3});
  CHECK_THROWS_WITH(v.index({ts::tensor({-4})}), "index: index -4 is out of bounds for dimension 0 with size 3");
  CHECK(ts::zeros({3}).index_put_({ts::tensor({-1})}, 1.0).to_vector() == std::vector<float>{0, 0, 1});
}

}  // namespace test_indexing
