// data/: the IDX reader on a slice of Fashion-MNIST (tests/data/fashion-mnist-slice), the
// DataLoader, and training on it: the loss falls, and a seed fixes every bit for any thread count.

#include <filesystem>
#include <fstream>

#include "golden.hpp"

using ts::Tensor;

namespace {
const std::string kSlice = std::string(TESSERA_DATA_DIR) + "/fashion-mnist-slice/";

Tensor<float> images(const std::string& file) {
  const auto raw = ts::data::read_idx(kSlice + file).as<uint8_t>();
  return ((raw.to<float>() / 255.0f - 0.2860f) / 0.3530f).flatten(1);
}
Tensor<int64_t> labels(const std::string& file) { return ts::data::read_idx(kSlice + file).as<uint8_t>().to<int64_t>(); }

/** Trains an MLP for one pass over the slice and returns the per-batch losses. */
std::vector<float> train(int threads) {
  ts::set_num_threads(threads);
  ts::Generator gen(2024);
  ts::nn::Sequential model{ts::nn::Linear(784, 64, true, gen), ts::nn::ReLU(), ts::nn::Dropout(0.1, gen),
                           ts::nn::Linear(64, 10, true, gen)};
  ts::optim::Adam opt(model.parameters(), {.lr = 3e-3});
  ts::data::DataLoader loader(ts::data::TensorDataset(images("train-images-idx3-ubyte.gz"),
                                                      labels("train-labels-idx1-ubyte.gz")),
                              {.batch_size = 32, .shuffle = true}, gen);
  std::vector<float> losses;
  for (int epoch = 0; epoch < 3; ++epoch)
    for (auto [x, y] : loader) {
      auto loss = ts::nn::functional::cross_entropy(model(x), y);
      opt.zero_grad();
      loss.backward();
      opt.step();
      losses.push_back(loss.item());
    }
  return losses;
}
}  // namespace

TEST_CASE("read_idx reads gzipped IDX images and labels") {
  const ts::AnyTensor x = ts::data::read_idx(kSlice + "train-images-idx3-ubyte.gz");
  CHECK(x.dtype() == ts::DType::UInt8);
  CHECK(x.sizes() == ts::Shape{512, 28, 28});
  const auto y = ts::data::read_idx(kSlice + "train-labels-idx1-ubyte.gz").as<uint8_t>();
  CHECK(y.sizes() == ts::Shape{512});
  CHECK(y.max().item() == 9);
  CHECK(ts::data::read_idx(kSlice + "t10k-images-idx3-ubyte.gz").sizes() == ts::Shape{256, 28, 28});
  // The first training label of Fashion-MNIST is 9 (ankle boot).
  CHECK(y[0].item() == 9);
  const auto dir = std::filesystem::temp_directory_path();
  std::ofstream((dir / "bad.idx").string(), std::ios::binary) << std::string("\0\0\x08\x02\0\0\0\x05", 8);
  CHECK_THROWS_WITH(ts::data::read_idx((dir / "bad.idx").string()), Catch::Contains("truncated"));
  std::ofstream((dir / "bad.gz").string(), std::ios::binary) << std::string("\x1f\x8b garbage", 10);
  CHECK_THROWS_WITH(ts::data::read_idx((dir / "bad.gz").string()), Catch::Contains("not a valid gzip"));
}

TEST_CASE("DataLoader batches, shuffles from its generator and drops the last batch on request") {
  auto x = ts::arange(10.0f).unsqueeze(1);
  auto y = ts::arange(10);
  ts::Generator gen(5);
  ts::data::DataLoader loader(ts::data::TensorDataset(x, y), {.batch_size = 4, .shuffle = true}, gen);
  CHECK(loader.size() == 3);
  std::vector<int64_t> seen;
  std::vector<int64_t> sizes;
  for (auto [bx, by] : loader) {
    sizes.push_back(by.numel());
    for (auto v : by.to_vector()) seen.push_back(v);
    CHECK(ts::equal(bx.squeeze(1).to<int64_t>(), by));
  }
  CHECK(sizes == std::vector<int64_t>{4, 4, 2});
  std::vector<int64_t> sorted = seen;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == ts::arange(10).to_vector());
  CHECK(seen != sorted);  // shuffled
  ts::data::DataLoader fixed(ts::data::TensorDataset(x, y), {.batch_size = 4, .drop_last = true});
  CHECK(fixed.size() == 2);
  CHECK((*fixed.begin()).second.to_vector() == std::vector<int64_t>{0, 1, 2, 3});
  CHECK_THROWS_WITH(ts::data::TensorDataset(x, ts::arange(3)), Catch::Contains("size mismatch"));
}

TEST_CASE("training on the slice lowers the loss, bit for bit the same for any thread count") {
  const auto one = train(1);
  const auto two = train(2);
  const auto three = train(3);
  ts::set_num_threads(2);
  REQUIRE(one.size() == 48);
  CHECK(one == two);
  CHECK(one == three);
  const float first = (one[0] + one[1] + one[2]) / 3, last = (one[45] + one[46] + one[47]) / 3;
  INFO("first batches " << first << ", last batches " << last);
  CHECK(last < 0.6f * first);
}
