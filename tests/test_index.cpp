// t.index({...}) and index_put_ with integers, Slice, None and Ellipsis.

#include "golden.hpp"

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
  CHECK_THROWS_WITH(x.index({2}), Catch::Contains("index 2 out of range for tensor of size [2, 3] at dimension 0"));
  CHECK_THROWS_WITH(x.index({ts::Slice(0, 2, 0)}), Catch::Contains("slice step must be positive"));
}
