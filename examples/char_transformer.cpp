// A small GPT-style character model trained on Debian's fortunes: token and position
// embeddings, pre-norm causal self-attention blocks with a GELU MLP, the output layer tied to
// the token embedding; AdamW with linear warm-up and cosine decay, gradient clipping. Prints the
// train and validation loss, samples text with temperature and top-k, and saves the weights
// under PyTorch's state_dict names:
//
//   char_transformer [fortunes folder] [--steps N] [--seed S] [--rng pytorch] [--threads N]
//                    [--eval-every K] [--out file.safetensors] [--sample N]
//
// examples/char_transformer.py builds the same model in PyTorch with the same recipe, and with
// --load evaluates the weights this program saved. The corpus is every plain-text file of the
// folder (default /usr/share/games/fortunes, from `apt-get install fortunes`), in name order;
// the first 90 % of its bytes train, the rest validate.
#include <tessera/tessera.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

namespace F = ts::nn::functional;
namespace fs = std::filesystem;

namespace {

struct Config {
  int64_t block = 64, d_model = 128, heads = 4, layers = 2, batch = 32;
  int64_t steps = 500, warmup = 50, eval_every = 100, eval_batches = 8, sample = 300;
  double lr = 2e-3, min_lr_ratio = 0.1, weight_decay = 0.1, clip = 1.0;
};

// Every regular file without an extension (the fortune files; .dat are indexes), in name order.
std::string read_corpus(const fs::path& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.is_regular_file() && !entry.path().has_extension()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::string text;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    text.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return text;
}

/** torch.nn.Module layout: tok, pos, blocks (a TransformerEncoder), ln_f; logits = ln_f(x) @ tok.weight.T. */
struct CharGPT : ts::nn::Module {
  ts::nn::Embedding tok, pos;
  ts::nn::TransformerEncoder blocks;
  ts::nn::LayerNorm ln_f;
  ts::Tensor<bool> causal;

  CharGPT(int64_t vocab, const Config& c)
      : tok(register_module("tok", ts::nn::Embedding(vocab, c.d_model))),
        pos(register_module("pos", ts::nn::Embedding(c.block, c.d_model))),
        blocks(register_module("blocks", ts::nn::TransformerEncoder(
                                             ts::nn::TransformerEncoderLayer(c.d_model, c.heads,
                                                                             {.dim_feedforward = 4 * c.d_model,
                                                                              .dropout = 0.0,
                                                                              .activation = "gelu",
                                                                              .batch_first = true,
                                                                              .norm_first = true}),
                                             c.layers))),
        ln_f(register_module("ln_f", ts::nn::LayerNorm(c.d_model))),
        causal(ts::ones<bool>({c.block, c.block}).triu(1)) {
    ts::nn::init::normal_(tok.weight(), 0.0, 0.02);
    ts::nn::init::normal_(pos.weight(), 0.0, 0.02);
  }
  /** Logits [B, T, vocab] for token ids [B, T]. */
  ts::Tensor<float> operator()(const ts::Tensor<int64_t>& idx) const {
    const int64_t t = idx.size(1);
    auto x = tok(idx) + pos(ts::arange<int64_t>(t));
    x = blocks(x, causal.slice(0, 0, t).slice(1, 0, t));
    return F::linear(ln_f(x), tok.weight());
  }
};

struct Batch {
  ts::Tensor<int64_t> x, y;
};

// Rows data[s : s + block] and the next characters, for each start s.
Batch rows(const ts::Tensor<int64_t>& data, const ts::Tensor<int64_t>& starts, int64_t block) {
  const auto offsets = starts.unsqueeze(1) + ts::arange<int64_t>(block);
  return {data.index({offsets}), data.index({offsets + 1})};
}

double loss_of(const CharGPT& model, const Batch& b) {
  ts::NoGradGuard no_grad;
  const auto logits = model(b.x);
  return F::cross_entropy(logits.reshape({-1, logits.size(2)}), b.y.reshape({-1})).item();
}

// Validation: eval_batches * batch windows at evenly spaced starts (no randomness), so that
// tessera's and PyTorch's runs are measured on the same text.
double validation_loss(const CharGPT& model, const ts::Tensor<int64_t>& val, const Config& c) {
  const int64_t windows = c.eval_batches * c.batch, span = val.numel() - c.block - 1;
  double total = 0;
  for (int64_t b = 0; b < c.eval_batches; ++b) {
    const auto k = ts::arange<int64_t>(b * c.batch, (b + 1) * c.batch);
    total += loss_of(model, rows(val, ts::floor_divide(k * span, windows), c.block));
  }
  return total / static_cast<double>(c.eval_batches);
}

std::string sample(const CharGPT& model, const std::vector<unsigned char>& vocab, const Config& c,
                   double temperature, int64_t top_k) {
  ts::NoGradGuard no_grad;
  std::vector<int64_t> ids{static_cast<int64_t>(std::find(vocab.begin(), vocab.end(), '\n') - vocab.begin())};
  std::string out;
  for (int64_t i = 0; i < c.sample; ++i) {
    const int64_t from = std::max<int64_t>(0, static_cast<int64_t>(ids.size()) - c.block);
    const auto context = ts::from_vector(std::vector<int64_t>(ids.begin() + from, ids.end()), {1, static_cast<int64_t>(ids.size()) - from});
    auto logits = model(context)[0][-1] / static_cast<float>(temperature);
    const auto kth = logits.topk(top_k).values[-1].item();
    const auto probs = logits.masked_fill(logits < kth, -INFINITY).softmax(0);
    ids.push_back(ts::multinomial(probs, 1, false, ts::default_generator()).item());
    out += static_cast<char>(vocab[static_cast<size_t>(ids.back())]);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Config c;
  std::string folder = "/usr/share/games/fortunes", out_path;
  uint64_t seed = 0;
  bool pytorch_rng = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--steps") c.steps = std::stoll(next());
    else if (a == "--seed") seed = std::stoull(next());
    else if (a == "--rng") pytorch_rng = next() == "pytorch";
    else if (a == "--threads") ts::set_num_threads(std::stoi(next()));
    else if (a == "--eval-every") c.eval_every = std::stoll(next());
    else if (a == "--out") out_path = next();
    else if (a == "--sample") c.sample = std::stoll(next());
    else folder = a;
  }
  if (!fs::is_directory(folder)) {
    std::cerr << "char_transformer: no folder '" << folder << "'; the fortunes come with `apt-get install fortunes`\n";
    return 1;
  }
  // With --rng pytorch every draw comes from PyTorch's mt19937 seeded as torch.manual_seed(seed):
  // the model starts from the weights examples/char_transformer.py gives it and sees its batches.
  if (pytorch_rng) ts::set_default_rng_algorithm(ts::RngAlgorithm::mt19937);
  ts::manual_seed(seed);

  const std::string text = read_corpus(folder);
  std::vector<unsigned char> vocab(text.begin(), text.end());
  std::sort(vocab.begin(), vocab.end());
  vocab.erase(std::unique(vocab.begin(), vocab.end()), vocab.end());
  std::vector<int64_t> ids(text.size());
  for (size_t i = 0; i < text.size(); ++i)
    ids[i] = std::lower_bound(vocab.begin(), vocab.end(), static_cast<unsigned char>(text[i])) - vocab.begin();
  const auto data = ts::from_vector(ids, {static_cast<int64_t>(ids.size())});
  const int64_t n_train = data.numel() * 9 / 10;
  const auto train = data.slice(0, 0, n_train), val = data.slice(0, n_train, data.numel());
  std::printf("corpus: %zu bytes, %zu symbols, %lld train / %lld validation\n", text.size(), vocab.size(),
              static_cast<long long>(train.numel()), static_cast<long long>(val.numel()));

  CharGPT model(static_cast<int64_t>(vocab.size()), c);
  ts::optim::AdamW opt(model.parameters(), {.lr = c.lr, .beta1 = 0.9, .beta2 = 0.99, .weight_decay = c.weight_decay});
  ts::optim::LambdaLR schedule(opt, [&c](int64_t step) {
    if (step < c.warmup) return static_cast<double>(step + 1) / static_cast<double>(c.warmup);
    const double progress = static_cast<double>(step - c.warmup) / static_cast<double>(std::max<int64_t>(1, c.steps - c.warmup));
    return c.min_lr_ratio + (1 - c.min_lr_ratio) * 0.5 * (1 + std::cos(M_PI * std::min(progress, 1.0)));
  });

  const auto start = std::chrono::steady_clock::now();
  for (int64_t step = 1; step <= c.steps; ++step) {
    const Batch b = rows(train, ts::randint<int64_t>(0, train.numel() - c.block - 1, {c.batch}), c.block);
    const auto logits = model(b.x);
    const auto loss = F::cross_entropy(logits.reshape({-1, logits.size(2)}), b.y.reshape({-1}));
    opt.zero_grad();
    loss.backward();
    ts::nn::utils::clip_grad_norm_(model.parameters(), c.clip);
    opt.step();
    schedule.step();
    if (step % c.eval_every == 0 || step == c.steps) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("step %5lld  train loss %.4f  validation loss %.4f  (%.1f ms/step)\n", static_cast<long long>(step),
                  static_cast<double>(loss.item()), validation_loss(model, val, c),
                  1000 * seconds / static_cast<double>(step));
      std::fflush(stdout);
    }
  }
  if (!out_path.empty()) {
    ts::save_safetensors(out_path, model.state_dict());
    std::printf("weights saved to %s\n", out_path.c_str());
  }
  if (c.sample > 0) std::printf("sample (temperature 0.8, top-k 10):\n%s\n", sample(model, vocab, c, 0.8, 10).c_str());
}
