// Shape: construction, inline and heap storage, equality, broadcasting, errors.

#include "golden.hpp"

namespace test_shape {

TEST_CASE("Shape behaves like a small vector", "[shape]") {
  ts::Shape s{2, 3};
  CHECK(s.size() == 2);
  CHECK(s[0] == 2);
  CHECK(s[1] == 3);
  CHECK(s == ts::Shape(std::vector<int64_t>{2, 3}));
  CHECK_FALSE(s == ts::Shape{2, 3, 1});
  int64_t product = 1;
  for (int64_t v : s) product *= v;
  CHECK(product == 6);
  CHECK(ts::Shape{}.empty());
}

TEST_CASE("Shape spills to the heap past six dims and copies deeply", "[shape]") {
  ts::Shape big;
  for (int64_t i = 0; i < 20; ++i) big.push_back(i);
  CHECK(big.size() == 20);
  ts::Shape copy = big;
  copy[3] = 100;
  CHECK(big[3] == 3);
  ts::Shape moved = std::move(copy);
  CHECK(moved[3] == 100);
  CHECK(moved[19] == 19);
  moved.insert(0, -1);
  CHECK(moved[0] == -1);
  CHECK(moved[20] == 19);
  moved.erase(0);
  CHECK(moved == ts::Shape([] { std::vector<int64_t> v; for (int64_t i = 0; i < 20; ++i) v.push_back(i == 3 ? 100 : i); return v; }()));
  ts::Shape small{1, 2};
  small = big;
  CHECK(small == big);
}

TEST_CASE("broadcast_shapes follows NumPy rules", "[shape]") {
  CHECK(ts::broadcast_shapes({4, 1, 3}, {2, 1}) == ts::Shape{4, 2, 3});
  CHECK(ts::broadcast_shapes({}, {5}) == ts::Shape{5});
  CHECK(ts::broadcast_shapes({0, 1}, {1, 7}) == ts::Shape{0, 7});
  CHECK_THROWS_WITH(ts::broadcast_shapes({2, 3}, {4}, "add"), "add: shapes [2, 3] and [4] cannot be broadcast");
}

TEST_CASE("numel checks negative sizes and int64 overflow", "[shape][errors]") {
  CHECK(ts::detail::checked_numel(ts::Shape{2, 3, 4}, "f") == 24);
  CHECK_THROWS_AS(ts::detail::checked_numel(ts::Shape{2, -1}, "zeros"), ts::Error);
  CHECK_THROWS_WITH(ts::zeros({2, -3}), Catch::Contains("zeros: negative dimension -3 in shape [2, -3]"));
  CHECK_THROWS_WITH(ts::empty({int64_t{1} << 40, int64_t{1} << 40}),
                    Catch::Contains("more elements than int64_t can count"));
  CHECK_THROWS_WITH(ts::empty<double>({int64_t{1} << 31, int64_t{1} << 31}), Catch::Contains("empty:"));
}

}  // namespace test_shape
