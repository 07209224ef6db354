// The training loop of docs/training.md: an MLP on Fashion-MNIST with Adam and a shuffling loader.
//   train [data folder]   (default /usr/share/datasets/fashion-mnist; apt-get install dataset-fashion-mnist)
#include <tessera/tessera.hpp>
#include <iostream>
#include <string>
namespace F = ts::nn::functional;
int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "/usr/share/datasets/fashion-mnist";
  auto load = [&](const std::string& prefix) {
    auto raw = ts::data::read_idx(dir + "/" + prefix + "-images-idx3-ubyte.gz").as<uint8_t>();  // [N, 28, 28]
    auto labels = ts::data::read_idx(dir + "/" + prefix + "-labels-idx1-ubyte.gz").as<uint8_t>();
    auto images = ((raw.to<float>() / 255.0f - 0.2860f) / 0.3530f).flatten(1);  // [N, 784]
    return std::pair{images, labels.to<int64_t>()};
  };
  auto [train_x, train_y] = load("train");
  auto [test_x, test_y] = load("t10k");
  ts::Generator gen(0);
  ts::nn::Sequential model{ts::nn::Linear(784, 256, true, gen), ts::nn::ReLU(),
                           ts::nn::Linear(256, 128, true, gen), ts::nn::ReLU(),
                           ts::nn::Linear(128, 10, true, gen)};
  ts::optim::Adam opt(model.parameters(), {.lr = 1e-3});
  ts::data::DataLoader loader(ts::data::TensorDataset(train_x, train_y), {.batch_size = 64, .shuffle = true}, gen);
  for (int epoch = 1; epoch <= 5; ++epoch) {
    model.train();
    for (auto [x, y] : loader) {
      auto loss = F::cross_entropy(model(x), y);
      opt.zero_grad();
      loss.backward();
      opt.step();
    }
    ts::NoGradGuard no_grad;
    model.eval();
    auto accuracy = (model(test_x).argmax(1) == test_y).to<float>().mean().item();
    std::cout << "epoch " << epoch << ": test accuracy " << accuracy << "\n";
  }
}
