// Trains an MLP and a small CNN on Fashion-MNIST, prints each epoch's train loss, test accuracy
// and time, and saves the trained weights as safetensors (names as in torch.nn.Sequential):
//
//   fashion_mnist [data folder] [mlp|cnn|both] [epochs] [output folder] [seed] [--device vulkan|metal]
//                 [--rng pytorch] [--steps N]
//
// With --device vulkan the model, its optimizer and every batch live on the first Vulkan device
// (docs/gpu.md), with --device metal (or mps) on the Apple GPU (docs/metal.md); a run is then a
// function of the seed as on the CPU, up to the GPU's rounding.
//
// With --rng pytorch the default generator is PyTorch's mt19937, seeded as torch.manual_seed(seed):
// the models start from the weights PyTorch would give them and the loader shuffles as
// torch.utils.data.DataLoader(shuffle=True) does, so the run follows PyTorch's own
// (tools/fashion_mnist_reference.py; docs/random.md compares the losses). --steps N prints the
// loss of each of the first N steps and stops there.
//
// The data are Debian's: apt-get install dataset-fashion-mnist (the default folder is
// /usr/share/datasets/fashion-mnist). examples/fashion_mnist_check.py loads the saved weights
// into PyTorch and measures the same test accuracy.
#if __has_include(<vulkan/vulkan_core.h>)
#include <tessera/backend/vulkan/backend.hpp>  // registers the Vulkan backend in this program
#endif
#if defined(__APPLE__) && __has_include(<Metal/Metal.hpp>)
#include <tessera/backend/metal/backend.hpp>  // registers the Metal backend (Apple platforms, metal-cpp)
#endif
#include <tessera/tessera.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <vector>

namespace F = ts::nn::functional;

namespace {

struct Split {
  ts::Tensor<float> images;  // [N, 1, 28, 28], scaled to [0, 1] then normalised
  ts::Tensor<int64_t> labels;
};

Split load(const std::string& folder, const std::string& prefix) {
  auto raw = ts::data::read_idx(folder + "/" + prefix + "-images-idx3-ubyte.gz").as<uint8_t>();
  auto labels = ts::data::read_idx(folder + "/" + prefix + "-labels-idx1-ubyte.gz").as<uint8_t>();
  auto images = ((raw.to<float>() / 255.0f - 0.2860f) / 0.3530f).unsqueeze(1);
  return {images, labels.to<int64_t>()};
}

void progress(int64_t done, int64_t total, double loss) {
  static const bool terminal = isatty(STDOUT_FILENO);
  if (!terminal) return;
  char bar[31] = {};
  for (int i = 0; i < 30; ++i) bar[i] = i < 30 * done / total ? '#' : '.';
  std::printf("\r  [%s] %lld/%lld  loss %.4f", bar, static_cast<long long>(done), static_cast<long long>(total), loss);
  std::fflush(stdout);
}

double accuracy(const ts::nn::Sequential& model, const Split& test, bool flatten, ts::Device device) {
  ts::NoGradGuard no_grad;
  model.eval();
  int64_t correct = 0;
  for (int64_t i = 0; i < test.images.size(0); i += 1000) {
    const int64_t n = std::min<int64_t>(1000, test.images.size(0) - i);
    auto x = test.images.narrow(0, i, n).to(device);
    auto pred = model(flatten ? x.flatten(1) : x).argmax(1);
    correct += (pred == test.labels.narrow(0, i, n).to(device)).sum().item();
  }
  model.train();
  return static_cast<double>(correct) / static_cast<double>(test.images.size(0));
}

// `gen` shuffles the batches; without one the loader draws from the default generator, as a
// PyTorch DataLoader without a generator does. With steps > 0, prints each step's loss and stops
// after that many steps.
void train(const std::string& name, ts::nn::Sequential model, const Split& train_set, const Split& test_set,
           int epochs, bool flatten, const std::string& out_folder, ts::Generator* gen, ts::Device device,
           int64_t steps) {
  std::cout << "== " << name << ": " << model.parameters().size() << " parameter tensors on " << device << "\n";
  model.to(device);
  ts::optim::Adam opt(model.parameters(), {.lr = 1e-3});
  ts::data::TensorDataset dataset(flatten ? train_set.images.flatten(1) : train_set.images, train_set.labels);
  const ts::data::DataLoaderOptions options{.batch_size = 64, .shuffle = true};
  ts::data::DataLoader loader = gen ? ts::data::DataLoader(dataset, options, *gen) : ts::data::DataLoader(dataset, options);
  int64_t step = 0;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    double total = 0;
    int64_t batches = 0;
    for (auto [x, y] : loader) {
      auto loss = F::cross_entropy(model(x.to(device)), y.to(device));
      opt.zero_grad();
      loss.backward();
      opt.step();
      total += loss.item();
      if (steps > 0) {
        std::printf("step %lld loss %.9g\n", static_cast<long long>(++step), loss.item());
        if (step == steps) return;
        continue;
      }
      if (++batches % 20 == 0) progress(batches, loader.size(), total / static_cast<double>(batches));
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (isatty(STDOUT_FILENO)) std::printf("\r%70s\r", "");
    std::printf("epoch %d  train loss %.4f  test accuracy %.2f %%  time %.2f s\n", epoch,
                total / static_cast<double>(batches), 100 * accuracy(model, test_set, flatten, device), seconds);
    std::fflush(stdout);
  }
  std::filesystem::create_directories(out_folder);
  const std::string path = out_folder + "/fashion_mnist_" + name + ".safetensors";
  model.to(ts::Device::cpu());
  ts::save_safetensors(path, model.state_dict(), {{"model", name}});
  std::cout << "saved " << path << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args;  // the positional arguments
  ts::Device device = ts::Device::cpu();
  bool pytorch_rng = false;
  int64_t steps = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--device" && i + 1 < argc) device = ts::Device(argv[++i]);
    else if (a == "--rng" && i + 1 < argc) {
      const std::string rng = argv[++i];
      if (rng != "pytorch" && rng != "philox") {
        std::cerr << "fashion_mnist: --rng takes pytorch or philox, got '" << rng << "'\n";
        return 2;
      }
      pytorch_rng = rng == "pytorch";
    } else if (a == "--steps" && i + 1 < argc) steps = std::atoll(argv[++i]);
    else args.emplace_back(a);
  }
  const auto arg = [&](size_t i, const char* otherwise) { return i < args.size() ? args[i] : std::string(otherwise); };
  const std::string folder = arg(0, "/usr/share/datasets/fashion-mnist");
  const std::string which = arg(1, "both");
  const int epochs = std::atoi(arg(2, "5").c_str());
  const std::string out_folder = arg(3, ".");
  const uint64_t seed = std::strtoull(arg(4, "0").c_str(), nullptr, 10);
  if (!std::filesystem::exists(folder + "/train-images-idx3-ubyte.gz")) {
    std::cerr << "fashion_mnist: no Fashion-MNIST in '" << folder << "'.\n"
              << "Install it with: apt-get install dataset-fashion-mnist (files in /usr/share/datasets/fashion-mnist),\n"
              << "or pass the folder holding train-images-idx3-ubyte.gz and the other three files.\n";
    return 2;
  }
  const Split train_set = load(folder, "train"), test_set = load(folder, "t10k");
  std::cout << "train " << train_set.images.sizes() << ", test " << test_set.images.sizes() << ", "
            << ts::get_num_threads() << " threads\n";
  // Initialisation, shuffling and dropout: a run is a function of the seed. With --rng pytorch
  // they all draw from the default generator, as in a PyTorch script after torch.manual_seed.
  if (pytorch_rng) {
    ts::set_default_rng_algorithm(ts::RngAlgorithm::mt19937);
    ts::manual_seed(seed);
  }
  ts::Generator own(seed);
  ts::Generator& gen = pytorch_rng ? ts::default_generator() : own;
  ts::Generator* shuffle = pytorch_rng ? nullptr : &own;
  if (which == "mlp" || which == "both") {
    ts::nn::Sequential mlp{ts::nn::Linear(784, 256, true, gen), ts::nn::ReLU(), ts::nn::Linear(256, 128, true, gen),
                           ts::nn::ReLU(), ts::nn::Linear(128, 10, true, gen)};
    train("mlp", mlp, train_set, test_set, epochs, /*flatten=*/true, out_folder, shuffle, device, steps);
  }
  if (which == "cnn" || which == "both") {
    ts::nn::Sequential cnn{ts::nn::Conv2d(1, 16, 3, {.padding = 1}, gen), ts::nn::ReLU(), ts::nn::MaxPool2d(2),
                           ts::nn::Conv2d(16, 32, 3, {.padding = 1}, gen), ts::nn::ReLU(), ts::nn::MaxPool2d(2),
                           ts::nn::Flatten(), ts::nn::Linear(32 * 7 * 7, 10, true, gen)};
    train("cnn", cnn, train_set, test_set, epochs, /*flatten=*/false, out_folder, shuffle, device, steps);
  }
  return 0;
}
