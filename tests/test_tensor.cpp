// Tensor<T>: attributes, handle semantics, item, devices, autograd flags.

#include <sstream>

#include "golden.hpp"

namespace test_tensor {

TEST_CASE("attributes of a fresh tensor", "[tensor]") {
  auto t = ts::zeros<double>({2, 3, 4});
  STATIC_REQUIRE(std::is_same_v<decltype(t)::value_type, double>);
  CHECK(t.defined());
  CHECK(t.dim() == 3);
  CHECK(t.ndim() == 3);
  CHECK(t.sizes() == ts::Shape{2, 3, 4});
  CHECK(t.shape() == ts::Shape{2, 3, 4});
  CHECK(t.size(0) == 2);
  CHECK(t.size(-1) == 4);
  CHECK(t.strides() == ts::Shape{12, 4, 1});
  CHECK(t.stride() == ts::Shape{12, 4, 1});
  // Printed as Python prints x.stride(): a tuple, not a torch.Size.
  auto printed = [](const auto& v) { std::ostringstream os; os << v; return os.str(); };
  CHECK(printed(t.stride()) == "(12, 4, 1)");
  CHECK(printed(ts::zeros({5}).stride()) == "(1,)");
  CHECK(printed(ts::zeros({}).stride()) == "()");
  CHECK(printed(t.sizes()) == "torch.Size([2, 3, 4])");
  CHECK(t.stride(-2) == 4);
  CHECK(t.storage_offset() == 0);
  CHECK(t.numel() == 24);
  CHECK(t.element_size() == 8);
  CHECK(t.nbytes() == 192);
  CHECK(t.dtype() == ts::DType::Float64);
  CHECK(t.device() == ts::Device::cpu());
  CHECK(t.is_contiguous());
  CHECK(t.storage().nbytes() == 192);
  CHECK_THROWS_WITH(t.size(3), "size: dimension out of range (expected to be in range of [-3, 2], but got 3)");
  CHECK_THROWS_WITH(t.stride(-4), Catch::StartsWith("stride: dimension out of range"));
}

TEST_CASE("copying a handle aliases; writes through any view are seen by all", "[tensor]") {
  auto a = ts::zeros<int32_t>({3, 3});
  auto b = a;
  b.index_put_({1, 2}, 7);
  CHECK(a.index({1, 2}).item() == 7);
  auto col = a.select(1, 2);
  col.fill_(5);
  CHECK(a.to_vector() == std::vector<int32_t>{0, 0, 5, 0, 0, 5, 0, 0, 5});
  a[0][0] = 9;  // assignment to a view writes, as in LibTorch
  CHECK(b.data_ptr()[0] == 9);
  a[2] = ts::tensor<int32_t>({1, 2, 3});
  CHECK(b.to_vector() == std::vector<int32_t>{9, 0, 5, 0, 0, 5, 1, 2, 3});
  ts::Tensor<int32_t> c;
  c = a;  // assignment to a handle rebinds it
  CHECK(c.data_ptr() == a.data_ptr());
}

TEST_CASE("const handles can call in-place methods", "[tensor]") {
  const auto t = ts::zeros({2});
  t.fill_(3.0f);
  t.zero_();
  CHECK(t.to_vector() == std::vector<float>{0, 0});
}

TEST_CASE("item returns the single element and rejects others", "[tensor][errors]") {
  CHECK(ts::tensor(7.0).item() == 7.0f);
  CHECK(ts::tensor({{5}}).item() == 5);
  CHECK_THROWS_WITH(ts::tensor({7, 7}).item(), "item: a Tensor with 2 elements cannot be converted to Scalar");
  CHECK_THROWS_AS(ts::zeros({0}).item(), ts::Error);
}

TEST_CASE("an undefined tensor throws on use", "[tensor][errors]") {
  ts::Tensor<float> t;
  CHECK_FALSE(t.defined());
  CHECK_THROWS_WITH(t.numel(), Catch::Contains("undefined"));
  // Every public function that takes a tensor rejects an undefined one, wherever it appears.
  const auto x = ts::ones({2, 2});
  const auto undefined = Catch::Contains("undefined");
  CHECK_THROWS_WITH(x + t, undefined);
  CHECK_THROWS_WITH(t * 2.0f, undefined);
  CHECK_THROWS_WITH(x == t, undefined);
  CHECK_THROWS_WITH(t.sum(), undefined);
  CHECK_THROWS_WITH(x.matmul(t), undefined);
  CHECK_THROWS_WITH(ts::cat({x, t}), undefined);
  CHECK_THROWS_WITH(ts::stack({t}), undefined);
  CHECK_THROWS_WITH(ts::where(x > 0, x, t), undefined);
  CHECK_THROWS_WITH(ts::lerp(x, t, 0.5f), undefined);
  CHECK_THROWS_WITH(x.clone().copy_(t), undefined);
  CHECK_THROWS_WITH(t.view({-1}), undefined);
  CHECK_THROWS_WITH(x.index_select(0, ts::Tensor<int64_t>()), undefined);
  CHECK_THROWS_WITH(x.gather(0, ts::Tensor<int64_t>()), undefined);
  CHECK_THROWS_WITH(x.masked_fill(ts::Tensor<bool>(), 1.0f), undefined);
  CHECK_THROWS_WITH(ts::einsum("ij,jk", {x, t}), undefined);
  CHECK_THROWS_WITH(ts::nn::functional::mse_loss(x, t), undefined);
  CHECK_THROWS_WITH(t.backward(), undefined);
  CHECK_THROWS_WITH(t.to<double>(), undefined);
  CHECK_THROWS_WITH(t.item(), undefined);
  ts::nn::Linear linear(2, 2);
  CHECK_THROWS_WITH(linear(t), undefined);
}

TEST_CASE("requires_grad only for floating tensors", "[tensor][errors]") {
  auto x = ts::tensor({3., 2., 1.}, {.requires_grad = true});
  CHECK(x.requires_grad());
  CHECK(x.is_leaf());
  CHECK(x.grad_fn_name().empty());
  CHECK_FALSE(x.grad().defined());
  CHECK_FALSE(x.detach().requires_grad());
  CHECK_THROWS_WITH(ts::tensor({1, 2}).requires_grad_(), Catch::Contains("only Tensors of floating point dtype"));
  CHECK(ts::zeros({2}).requires_grad_().requires_grad_(false).requires_grad() == false);
}

TEST_CASE("devices parse, compare and print", "[tensor][device]") {
  CHECK(ts::Device("cpu") == ts::Device::cpu());
  CHECK(ts::Device("metal") == ts::Device::metal());
  CHECK(ts::Device("mps") == ts::Device::metal(0));
  CHECK(ts::Device("metal:1") == ts::Device::metal(1));
  CHECK(ts::Device::cpu().index() == -1);
  CHECK(ts::Device::metal().str() == "metal:0");
  CHECK_THROWS_WITH(ts::Device("cuda"), Catch::Contains("unknown device type in 'cuda'"));
  CHECK_THROWS_AS(ts::Device("metal:x"), ts::Error);
  auto t = ts::ones({2});
  CHECK(t.to(ts::Device::cpu()).data_ptr() == t.data_ptr());
#if !(defined(TESSERA_METAL) && TESSERA_METAL)  // a build with the Metal backend (CMake's TESSERA_METAL) has the device
  CHECK_FALSE(ts::metal::is_available());
  CHECK_THROWS_WITH(t.to(ts::Device("mps")), Catch::Contains("to: no metal backend is registered in this program, so metal:0 cannot be used"));
  CHECK_THROWS_AS(ts::zeros({2}, {.device = ts::Device::metal()}), ts::Error);
#endif
}

}  // namespace test_tensor
