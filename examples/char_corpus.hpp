#pragma once
// What the character-level examples share: the corpus (every plain-text file of a folder, in
// name order, as bytes; the first 90 % train, the rest validate), its windows, the validation
// loss, sampling, the command line and the training loop's schedule. char_corpus.py is the same
// for the PyTorch scripts.
#include <tessera/tessera.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

namespace char_corpus {

namespace fs = std::filesystem;

struct Corpus {
  std::vector<unsigned char> vocab;  // the distinct bytes, sorted; a token is an index into it
  ts::Tensor<int64_t> train, val;
};

/** Every regular file without an extension (the fortune files; .dat are indexes), in name order. */
inline Corpus read(const fs::path& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.is_regular_file() && !entry.path().has_extension()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::string text;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    text.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  Corpus c;
  c.vocab.assign(text.begin(), text.end());
  std::sort(c.vocab.begin(), c.vocab.end());
  c.vocab.erase(std::unique(c.vocab.begin(), c.vocab.end()), c.vocab.end());
  std::vector<int64_t> ids(text.size());
  for (size_t i = 0; i < text.size(); ++i)
    ids[i] = std::lower_bound(c.vocab.begin(), c.vocab.end(), static_cast<unsigned char>(text[i])) - c.vocab.begin();
  const auto data = ts::from_vector(ids, {static_cast<int64_t>(ids.size())});
  const int64_t n_train = data.numel() * 9 / 10;
  c.train = data.slice(0, 0, n_train);
  c.val = data.slice(0, n_train, data.numel());
  std::printf("corpus: %zu bytes, %zu symbols, %lld train / %lld validation\n", text.size(), c.vocab.size(),
              static_cast<long long>(c.train.numel()), static_cast<long long>(c.val.numel()));
  return c;
}

struct Batch {
  ts::Tensor<int64_t> x, y;
};

/** Windows data[s : s + block] and the characters after them, for each start s. */
inline Batch windows(const ts::Tensor<int64_t>& data, const ts::Tensor<int64_t>& starts, int64_t block) {
  const auto offsets = starts.unsqueeze(1) + ts::arange<int64_t>(block);
  return {data.index({offsets}), data.index({offsets + 1})};
}

/** A model: token ids [B, T] -> logits [B, T, vocab]. */
using Model = std::function<ts::Tensor<float>(const ts::Tensor<int64_t>&)>;

inline ts::Tensor<float> loss(const Model& model, const Batch& b) {
  const auto logits = model(b.x);
  return ts::nn::functional::cross_entropy(logits.reshape({-1, logits.size(2)}), b.y.reshape({-1}));
}

/** The mean loss over `batches` batches of windows at evenly spaced starts (no randomness), so
 *  that tessera's and PyTorch's runs are measured on the same text. */
inline double validation_loss(const Model& model, const ts::Tensor<int64_t>& val, int64_t block, int64_t batch,
                              int64_t batches = 8) {
  ts::NoGradGuard no_grad;
  const int64_t count = batches * batch, span = val.numel() - block - 1;
  double total = 0;
  for (int64_t b = 0; b < batches; ++b) {
    const auto k = ts::arange<int64_t>(b * batch, (b + 1) * batch);
    total += loss(model, windows(val, ts::floor_divide(k * span, count), block)).item();
  }
  return total / static_cast<double>(batches);
}

/** `length` characters after a newline, each drawn from the top_k most likely at `temperature`. */
inline std::string sample(const Model& model, const Corpus& c, int64_t block, int64_t length, double temperature,
                          int64_t top_k) {
  ts::NoGradGuard no_grad;
  std::vector<int64_t> ids{static_cast<int64_t>(std::find(c.vocab.begin(), c.vocab.end(), '\n') - c.vocab.begin())};
  std::string out;
  for (int64_t i = 0; i < length; ++i) {
    const int64_t from = std::max<int64_t>(0, static_cast<int64_t>(ids.size()) - block);
    const auto context = ts::from_vector(std::vector<int64_t>(ids.begin() + from, ids.end()),
                                         {1, static_cast<int64_t>(ids.size()) - from});
    const auto logits = model(context)[0][-1] / static_cast<float>(temperature);
    const float kth = logits.topk(top_k).values[-1].item();
    const auto probs = logits.masked_fill(logits < kth, -INFINITY).softmax(0);
    ids.push_back(ts::multinomial(probs, 1, false, ts::default_generator()).item());
    out += static_cast<char>(c.vocab[static_cast<size_t>(ids.back())]);
  }
  return out;
}

/** The command line both examples take, and the recipe's settings. */
struct Options {
  std::string folder = "/usr/share/games/fortunes", out;
  int64_t steps = 500, warmup = 50, eval_every = 100, sample = 300;
  uint64_t seed = 0;
};

/** Parses the command line; sets the threads, the generator and the seed. Empty when the
 *  corpus folder is missing (after saying what to install). */
inline std::optional<Options> parse(int argc, char** argv, const char* program) {
  Options o;
  bool pytorch_rng = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string("0"); };
    if (a == "--steps") o.steps = std::stoll(next());
    else if (a == "--seed") o.seed = std::stoull(next());
    else if (a == "--rng") pytorch_rng = next() == "pytorch";
    else if (a == "--threads") ts::set_num_threads(std::stoi(next()));
    else if (a == "--eval-every") o.eval_every = std::stoll(next());
    else if (a == "--out") o.out = next();
    else if (a == "--sample") o.sample = std::stoll(next());
    else o.folder = a;
  }
  if (!fs::is_directory(o.folder)) {
    std::cerr << program << ": no folder '" << o.folder << "'; the fortunes come with `apt-get install fortunes`\n";
    return std::nullopt;
  }
  // With --rng pytorch every draw comes from PyTorch's mt19937 seeded as torch.manual_seed(seed):
  // the model starts from the weights the PyTorch script gives it and sees the same batches.
  if (pytorch_rng) ts::set_default_rng_algorithm(ts::RngAlgorithm::mt19937);
  ts::manual_seed(o.seed);
  return o;
}

/** Linear warm-up over o.warmup steps, then a cosine decay to min_ratio at o.steps. */
inline double warmup_cosine(const Options& o, int64_t step, double min_ratio = 0.1) {
  if (step < o.warmup) return static_cast<double>(step + 1) / static_cast<double>(o.warmup);
  const double progress =
      static_cast<double>(step - o.warmup) / static_cast<double>(std::max<int64_t>(1, o.steps - o.warmup));
  return min_ratio + (1 - min_ratio) * 0.5 * (1 + std::cos(M_PI * std::min(progress, 1.0)));
}

/** The training loop: random windows of the training text, cross-entropy, backward, gradients
 *  clipped to norm 1, a step of `opt` and of its schedule; the losses printed every eval_every
 *  steps, the weights saved to o.out, and a sample printed. */
template <class Net, class Optimizer>
void train(const Options& o, const Corpus& c, const Net& net, const Model& model, Optimizer& opt, int64_t block,
           int64_t batch) {
  ts::optim::LambdaLR schedule(opt, [&o](int64_t step) { return warmup_cosine(o, step); });
  const auto start = std::chrono::steady_clock::now();
  for (int64_t step = 1; step <= o.steps; ++step) {
    const auto starts = ts::randint<int64_t>(0, c.train.numel() - block - 1, {batch});
    const auto l = loss(model, windows(c.train, starts, block));
    opt.zero_grad();
    l.backward();
    ts::nn::utils::clip_grad_norm_(net.parameters(), 1.0);
    opt.step();
    schedule.step();
    if (step % o.eval_every == 0 || step == o.steps) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double val = validation_loss(model, c.val, block, batch);
      std::printf("step %5lld  train loss %.4f  validation loss %.4f  (%.1f ms/step)\n", static_cast<long long>(step),
                  static_cast<double>(l.item()), val, 1000 * seconds / static_cast<double>(step));
      std::fflush(stdout);
    }
  }
  if (!o.out.empty()) {
    ts::save_safetensors(o.out, net.state_dict());
    std::printf("weights saved to %s\n", o.out.c_str());
  }
  if (o.sample > 0)
    std::printf("sample (temperature 0.8, top-k 10):\n%s\n", sample(model, c, block, o.sample, 0.8, 10).c_str());
}

}  // namespace char_corpus
