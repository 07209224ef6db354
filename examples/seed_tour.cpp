// The PyTorch tensor tutorial notebook, cell by cell, in C++ with tessera.
// Each block is headed by the notebook's cell number; it prints what the notebook prints.

#include <tessera/tessera.hpp>

#include <charconv>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

namespace {

// Python's repr of a float: shortest round-trip digits, and "7.0" rather than "7".
std::string python_float(double v) {
  char buffer[64];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
  std::string s(buffer, end);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

// The Python type item() would return for a tensor of element type T.
template <class T>
std::string python_type() {
  if constexpr (std::is_same_v<T, bool>) return "<class 'bool'>";
  else if constexpr (ts::is_floating_v<T>) return "<class 'float'>";
  else return "<class 'int'>";
}

// NumPy's print of a 2-D float64 array whose values are whole numbers: "[[1. 2.]\n [3. 4.]]".
std::string numpy_str(const std::vector<double>& values, int64_t rows, int64_t cols) {
  std::string out = "[";
  for (int64_t r = 0; r < rows; ++r) {
    out += r ? "\n [" : "[";
    for (int64_t c = 0; c < cols; ++c) {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.0f.", values[static_cast<size_t>(r * cols + c)]);
      if (c) out += ' ';
      out += buffer;
    }
    out += "]";
  }
  return out + "]";
}

}  // namespace

int main() {
  // In [1]
  std::cout << "tessera version: " << TESSERA_VERSION_MAJOR << "." << TESSERA_VERSION_MINOR << "."
            << TESSERA_VERSION_PATCH << "\n";
  std::cout << "Is Metal available? " << (ts::metal::is_available() ? "True" : "False") << "\n\n";

  // In [2]: scalars
  auto scalar = ts::tensor(7.0);
  std::cout << scalar << "\n\n";
  // In [6]
  std::cout << scalar.ndim() << "\n\n";
  // In [7]
  std::cout << "Escalar: " << python_float(scalar.item()) << ". Type: " << python_type<decltype(scalar)::value_type>()
            << "\n\n";

  // In [8]: vectors
  auto vector = ts::tensor({7, 7});
  std::cout << "Vector = " << vector << "\n";
  std::cout << "Dimensions: " << vector.ndim() << "\n\n";
  // In [9]
  std::cout << "Shape: " << vector.shape() << "\n\n";

  // In [13]: matrices
  auto MATRIX = ts::tensor({{7, 8}, {8, 9}});
  std::cout << "Matrix =\n " << MATRIX << "\n";
  std::cout << "Dimensions: " << MATRIX.ndim() << "\n";
  std::cout << "Shape: " << MATRIX.shape() << "\n\n";

  // In [14]: tensors
  auto TENSOR = ts::tensor({{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}});
  std::cout << TENSOR << "\n\n";
  // In [15]
  std::cout << "Dimensions: " << TENSOR.ndim() << "\n";
  std::cout << "Shape: " << TENSOR.shape() << "\n\n";

  // In [16]: stacking tensors along a new dimension
  auto A = ts::tensor({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}});
  auto B = ts::tensor({{10, 11, 12}, {13, 14, 15}, {16, 17, 18}});
  TENSOR = ts::stack({A, B});
  std::cout << "Dimension of A = " << A.ndim() << ", Shape of A = " << A.shape() << "\n";
  std::cout << "Dimension of B = " << B.ndim() << ", Shape of B = " << B.shape() << "\n";
  std::cout << "Dimension of TENSOR = " << TENSOR.ndim() << ", Shape of TENSOR = " << TENSOR.shape() << "\n\n";
  // In [17]
  std::cout << TENSOR << "\n\n";

  // In [20]: random tensors (values differ from the notebook's: tessera draws from Philox)
  auto random_tensor = ts::rand({2, 3});
  std::cout << "random_tensor =\n " << random_tensor << "\n\n";
  // In [22]
  std::cout << "Dimensions: " << random_tensor.ndim() << "\n";
  std::cout << "Size: " << random_tensor.shape() << "\n\n";
  // In [23]
  random_tensor = ts::rand({10, 2, 3});
  std::cout << "random_tensor =\n " << random_tensor << "\n\n";
  // In [24]
  std::cout << "Dimensions: " << random_tensor.ndim() << "\n";
  std::cout << "Size: " << random_tensor.shape() << "\n\n";
  // In [25]: an image-sized tensor prints summarised
  auto random_image_tensor = ts::rand({3, 1024, 1024});
  std::cout << random_image_tensor << "\n\n";
  // In [27]
  std::cout << "Dimensiones: " << random_image_tensor.ndim() << "\n";
  std::cout << "Size: " << random_image_tensor.shape() << "\n\n";

  // In [28]: one seed, two draws: different tensors
  ts::manual_seed(42);
  auto random_tensor_1 = ts::rand({1, 5});
  auto random_tensor_2 = ts::rand({1, 5});
  std::cout << "Random tensor 1: " << random_tensor_1 << "\n";
  std::cout << "Random tensor 2: " << random_tensor_2 << "\n";
  std::cout << "Are the tensors equal? " << (ts::equal(random_tensor_1, random_tensor_2) ? "True" : "False") << "\n\n";
  // In [29]: seeding before each draw gives equal tensors, on every device and thread count
  ts::manual_seed(42);
  random_tensor_1 = ts::rand({1, 5});
  ts::manual_seed(42);
  random_tensor_2 = ts::rand({1, 5});
  std::cout << "Random tensor 1: " << random_tensor_1 << "\n";
  std::cout << "Random tensor 2: " << random_tensor_2 << "\n";
  std::cout << "Are the tensors equal? " << (ts::equal(random_tensor_1, random_tensor_2) ? "True" : "False") << "\n\n";

  // In [30]: tensor-like objects
  auto range_tensor = ts::arange(0, 1000, 36);
  std::cout << range_tensor << "\n\n";
  // In [31]
  std::cout << "Dimension: " << range_tensor.ndim() << "\n";
  std::cout << "Shape: " << range_tensor.shape() << "\n";
  std::cout << "Dtype: " << range_tensor.dtype() << "\n\n";
  // In [32]
  auto zeros = ts::zeros_like(range_tensor);
  std::cout << zeros << "\n\n";
  // In [33]
  std::cout << "Dimension: " << zeros.ndim() << "\n";
  std::cout << "Shape: " << zeros.shape() << "\n";
  std::cout << "Dtype: " << zeros.dtype() << "\n\n";

  // In [34]: data types
  auto TENSOR_0 = ts::tensor<double>({3., 2., 1.});
  std::cout << TENSOR_0 << "\n\n";
  // In [35]
  std::cout << TENSOR_0.dtype() << "\n\n";
  // In [37]
  auto TENSOR_1 = TENSOR_0.to<ts::half>();
  std::cout << TENSOR_1 << "\n\n";

  // In [38]: promotion: float64 * float16 is float64
  std::cout << TENSOR_0 * TENSOR_1 << "\n\n";

  // In [39]: devices
  std::cout << "device(type='" << TENSOR.device() << "')\n\n";

  // In [41]: create a tensor on the best device available
  const ts::Device torch_device = ts::metal::is_available() ? ts::Device::metal() : ts::Device::cpu();
  auto TENSOR_2 = ts::rand({3, 1024, 1024}, {.device = torch_device});
  std::cout << "Tensor: " << TENSOR_2 << "\n";
  std::cout << "Device: " << TENSOR_2.device() << "\n\n";
  // In [42]: moving to the GPU needs Metal (Apple silicon)
  if (ts::metal::is_available()) {
    TENSOR_2 = TENSOR_2.to(ts::Device("mps"));
    std::cout << "Device: " << TENSOR_2.device() << "\n\n";
  } else {
    std::cout << "Device: " << TENSOR_2.device() << " (Metal is not available on this machine)\n\n";
  }

  // In [43]: gradients (on the device chosen in In [41])
  {
    auto X = ts::tensor({3., 2., 1.}, {.device = torch_device, .requires_grad = true});
    // Sum all elements of the tensor and compute the gradients
    auto y = X.sum();
    y.backward();
    std::cout << "Gradients after automatic differentiation: " << X.grad() << "\n\n";
  }

  // In [48]: from a NumPy-style buffer
  std::vector<double> array = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::cout << "Array de NumPy: \n" << numpy_str(array, 3, 3) << "\n\n";
  // In [49]: from_blob shares the buffer, as torch.from_numpy does
  auto tensor = ts::from_blob(array.data(), {3, 3});
  std::cout << "Tensor de PyTorch: \n" << tensor << "\n\n";
  // In [50]
  std::cout << "Array's datatype: float64\n";
  std::cout << "Tensor's datatype: " << tensor.dtype() << "\n\n";
  // In [51]
  auto tensor32 = tensor.to<float>();
  std::cout << "Tensor's datatype: " << tensor32.dtype() << "\n";
  return 0;
}
