// cat, stack, vstack, hstack, split, chunk: semantics and errors (values in test_creation).

#include "golden.hpp"

namespace test_join {

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

TEST_CASE("cat of mixed dtypes promotes like PyTorch", "[join]") {
  const auto a = ts::tensor<int32_t>({1, 2});
  const auto b = ts::tensor({0.5});
  const auto h = ts::tensor<ts::half>({1.5});
  CHECK(ts::result_type({a, b}) == ts::DType::Float32);
  CHECK(ts::result_type({a, ts::tensor<uint8_t>({1})}) == ts::DType::Int32);
  CHECK(ts::result_type({h, ts::tensor<ts::bfloat16>({1})}) == ts::DType::Float32);
  const auto c = ts::cat<float>({a, b});
  CHECK(c.to_vector() == std::vector<float>{1, 2, 0.5});
  CHECK(ts::cat<double>({a, ts::tensor<double>({3})}).to_vector() == std::vector<double>{1, 2, 3});
  CHECK_THROWS_WITH(ts::cat<int32_t>({a, b}), Catch::Contains("the promoted dtype of the inputs is torch.float32"));
}

TEST_CASE("AnyTensor erases and recovers the element type", "[join]") {
  ts::AnyTensor any = ts::arange(6).reshape({2, 3});
  CHECK(any.dtype() == ts::DType::Int64);
  CHECK(any.sizes() == ts::Shape{2, 3});
  CHECK(any.as<int64_t>().sum().item() == 15);
  CHECK(any.to<float>().dtype() == ts::DType::Float32);
  CHECK_THROWS_WITH(any.as<float>(), "AnyTensor::as: the tensor has dtype torch.int64, not torch.float32");
  CHECK(ts::to_string(any) == "tensor([[0, 1, 2],\n        [3, 4, 5]])");
}

}  // namespace test_join
