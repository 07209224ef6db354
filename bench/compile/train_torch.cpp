// train.cpp, written with LibTorch (its MNIST reader takes the uncompressed files).
#include <torch/torch.h>
#include <iostream>
#include <string>
int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "fashion-mnist";
  auto train = torch::data::datasets::MNIST(dir, torch::data::datasets::MNIST::Mode::kTrain)
                   .map(torch::data::transforms::Normalize<>(0.2860, 0.3530))
                   .map(torch::data::transforms::Stack<>());
  auto test = torch::data::datasets::MNIST(dir, torch::data::datasets::MNIST::Mode::kTest);
  torch::manual_seed(0);
  torch::nn::Sequential model(torch::nn::Linear(784, 256), torch::nn::ReLU(), torch::nn::Linear(256, 128),
                              torch::nn::ReLU(), torch::nn::Linear(128, 10));
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3));
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(std::move(train), 64);
  for (int epoch = 1; epoch <= 5; ++epoch) {
    model->train();
    for (auto& batch : *loader) {
      auto loss = torch::nn::functional::cross_entropy(model->forward(batch.data.flatten(1)), batch.target);
      opt.zero_grad();
      loss.backward();
      opt.step();
    }
    torch::NoGradGuard no_grad;
    model->eval();
    auto images = ((test.images() - 0.2860) / 0.3530).flatten(1);
    auto accuracy = (model->forward(images).argmax(1) == test.targets()).to(torch::kFloat).mean().item<float>();
    std::cout << "epoch " << epoch << ": test accuracy " << accuracy << "\n";
  }
}
