// Uses the public names of API.md sections 1-3, 7 and 8 through the umbrella header only.
// CI compiles it with nothing but `g++ -std=c++20 -I include -I <eigen3> api_surface.cpp -pthread`.

#include <tessera/tessera.hpp>

#include <cstdint>
#include <iostream>
#include <vector>

int main() {
  // 1. Element types and dtypes.
  static_assert(ts::dtype_of<ts::half> == ts::DType::Float16);
  static_assert(ts::dtype_of<ts::bfloat16> == ts::DType::BFloat16);
  static_assert(ts::element_size(ts::DType::Int16) == 2);
  static_assert(ts::promote_types(ts::DType::Int32, ts::DType::Float16) == ts::DType::Float16);
  static_assert(std::is_same_v<ts::promote_t<uint8_t, int8_t>, int16_t>);
  std::cout << ts::DType::Float64 << "\n";

  // 2. Tensor<T>: attributes.
  ts::Tensor<float> x = ts::arange(24.0).reshape({2, 3, 4});
  static_assert(std::is_same_v<ts::Tensor<float>::value_type, float>);
  std::cout << x.dim() << x.ndim() << x.sizes() << x.shape() << x.size(-1) << x.strides() << x.stride()
            << x.stride(0) << x.storage_offset() << x.numel() << x.element_size() << x.nbytes() << x.dtype()
            << x.device() << x.is_contiguous() << "\n";
  float* data = x.data_ptr();
  const ts::Storage& storage = x.storage();
  std::cout << (storage.data() == data) << storage.nbytes() << storage.device() << storage.use_count() << "\n";
  std::cout << ts::tensor(1.5).item() << ts::Tensor<int>().defined() << "\n";

  // Views.
  auto v = x.view({6, 4}).reshape({4, 6}).transpose(0, 1).t().permute({1, 0}).squeeze().unsqueeze(0).squeeze(0);
  v = v.expand({2, 6, 4}).flatten(0, 1).narrow(0, 1, 3).select(1, 2).slice(0, 0, 3, 2);
  auto w = x[1].unfold(1, 2, 2).as_strided({2, 2}, {1, 2}, 0).diagonal().detach();
  auto idx = x.index({ts::Slice(0, 2), 1, ts::None, ts::Ellipsis});
  auto idx2 = x.index({ts::Slice(ts::None, ts::None, 2)});
  x.index_put_({0, 0}, 1.0f);

  // Copies and conversions.
  auto c = x[0].t().contiguous().clone().to<double>().to<float>().to(ts::Device::cpu());
  c.copy_(ts::ones<int32_t>({3}));
  c.fill_(2.0);
  c.zero_();
  std::vector<float> elements = c.to_vector();
  ts::Shape shape(std::vector<int64_t>{2, 3});
  std::cout << shape.size() << shape[0] << (shape == ts::Shape{2, 3}) << v << w << idx << idx2 << elements.size()
            << "\n";

  // 3. Creating tensors.
  ts::TensorOptions options{.device = ts::Device::cpu(), .requires_grad = false};
  std::vector<float> values = {1, 2, 3, 4};
  float blob[4] = {1, 2, 3, 4};
  auto a = ts::tensor({{1, 2}, {3, 4}});
  auto b = ts::tensor<double>({{{1, 2}}}, options);
  auto fv = ts::from_vector(values, {2, 2});
  auto fb = ts::from_blob(blob, {2, 2});
  auto fs = ts::from_blob(blob, {2}, ts::Shape{2}, [](void*) {});
  std::cout << a << b << fv << fb << fs << ts::zeros<float>({2}) << ts::ones({2}) << ts::full({2}, 7)
            << ts::empty({0}) << ts::eye(2) << ts::eye(2, 3) << ts::arange(5) << ts::arange(0, 10, 3)
            << ts::linspace(0, 1, 5) << ts::logspace(0, 2, 3) << ts::zeros_like(a) << ts::ones_like(a)
            << ts::full_like(a, 3) << ts::empty_like(a).sizes() << "\n";
  std::cout << ts::stack({a, a}) << ts::vstack({a, a}) << ts::hstack({a, a}) << ts::cat({a, a}, 1)
            << ts::cat(std::vector{a, a}) << ts::split(ts::arange(5), 2).size() << ts::chunk(ts::arange(5), 2).size()
            << "\n";

  // 6 (flags used by printing). 7. Devices. 8. Printing.
  auto g = ts::ones({2}, {.requires_grad = true});
  std::cout << g.requires_grad() << g.is_leaf() << g.grad_fn_name().size() << g.requires_grad_(false).requires_grad()
            << "\n";
  std::cout << ts::Device("cpu") << ts::Device::metal(0) << ts::Device("mps") << ts::metal::is_available() << "\n";
  ts::set_printoptions({.precision = 2, .threshold = 10, .edgeitems = 1, .linewidth = 60, .sci_mode = false});
  std::cout << ts::to_string(ts::arange(20.0)) << "\n";
  ts::set_printoptions({});
  ts::empty_cache();
  try {
    x.view({5});
  } catch (const ts::Error& e) {
    std::cout << e.what() << "\n";
  }
  return 0;
}
