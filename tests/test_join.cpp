// cat, stack, vstack, hstack, split, chunk: semantics and errors (values in test_creation).

#include "golden.hpp"

TEST_CASE("cat and stack accept vectors and braced lists", "[join]") {
  std::vector<ts::Tensor<float>> parts = {ts::ones({2, 2}), ts::zeros({1, 2})};
  CHECK(ts::cat(parts).sizes() == ts::Shape{3, 2});
  CHECK(ts::stack({ts::ones({2}), ts::zeros({2})}, 1).sizes() == ts::Shape{2, 2});
  CHECK(ts::stack(std::vector{ts::ones({2}), ts::zeros({2})}).to_vector() == std::vector<float>{1, 1, 0, 0});
  auto strided = ts::arange(12.0).reshape({3, 4}).t();
  CHECK(ts::cat({strided, strided}, 1).to_vector() ==
        ts::cat({strided.contiguous(), strided.contiguous()}, 1).to_vector());
}

TEST_CASE("split and chunk return views", "[join]") {
  auto x = ts::arange(10);
  auto parts = ts::split(x, 4);
  REQUIRE(parts.size() == 3);
  CHECK(parts[2].numel() == 2);
  parts[1].fill_(0);
  CHECK(x.index({5}).item() == 0);
  CHECK(ts::chunk(ts::zeros({0}), 3).size() == 3);
  CHECK(ts::chunk(ts::zeros({2, 6}), 4, 1).size() == 3);
}

TEST_CASE("join errors name the shapes", "[join][errors]") {
  CHECK_THROWS_WITH(ts::cat(std::vector<ts::Tensor<float>>{}), "cat: expected a non-empty list of Tensors");
  CHECK_THROWS_WITH(ts::cat({ts::zeros({2, 3}), ts::zeros({2, 4})}),
                    "cat: Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for "
                    "tensor number 1 in the list.");
  CHECK_THROWS_WITH(ts::cat({ts::zeros({2, 3}), ts::zeros({3})}), Catch::Contains("same number of dimensions"));
  CHECK_THROWS_WITH(ts::cat({ts::tensor(1.0), ts::tensor(2.0)}), Catch::Contains("zero-dimensional tensor"));
  CHECK_THROWS_WITH(ts::stack({ts::zeros({2, 3}), ts::zeros({3})}),
                    "stack: stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3] at entry 1");
  CHECK_THROWS_WITH(ts::split(ts::zeros({4}), std::vector<int64_t>{1, 2}), Catch::Contains("sum exactly to 4"));
  CHECK_THROWS_WITH(ts::chunk(ts::zeros({4}), 0), Catch::Contains("greater than 0"));
  CHECK_THROWS_WITH(ts::split(ts::tensor(1.0), 1), Catch::Contains("at least a 1-dimensional"));
}
