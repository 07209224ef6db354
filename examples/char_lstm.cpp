// A character-level LSTM language model trained on Debian's fortunes: an embedding, a 2-layer
// LSTM and a linear read-out; Adam with linear warm-up and cosine decay, gradient clipping.
// Prints the train and validation loss, samples text with temperature and top-k, and saves the
// weights under PyTorch's state_dict names:
//
//   char_lstm [fortunes folder] [--steps N] [--seed S] [--rng pytorch] [--threads N]
//             [--eval-every K] [--out file.safetensors] [--sample N]
//
// examples/char_lstm.py builds the same model in PyTorch with the same recipe (with --rng
// pytorch and the same seed, the same initial weights and batches), and with --load evaluates
// the weights this program saved. The corpus is every plain-text file of the folder (default
// /usr/share/games/fortunes, from `apt-get install fortunes`); char_corpus.hpp.
#include "char_corpus.hpp"

namespace {

constexpr int64_t kBlock = 64, kEmbed = 64, kHidden = 128, kLayers = 2, kBatch = 32;

/** torch.nn.Module layout: embed, lstm, head. */
struct CharLSTM : ts::nn::Module {
  ts::nn::Embedding embed;
  ts::nn::LSTM lstm;
  ts::nn::Linear head;

  explicit CharLSTM(int64_t vocab)
      : embed(register_module("embed", ts::nn::Embedding(vocab, kEmbed))),
        lstm(register_module("lstm", ts::nn::LSTM(kEmbed, kHidden, {.num_layers = kLayers, .batch_first = true}))),
        head(register_module("head", ts::nn::Linear(kHidden, vocab))) {}
  ts::Tensor<float> operator()(const ts::Tensor<int64_t>& idx) const { return head(lstm(embed(idx)).first); }
};

}  // namespace

int main(int argc, char** argv) {
  const auto options = char_corpus::parse(argc, argv, "char_lstm");
  if (!options) return 1;
  const char_corpus::Corpus corpus = char_corpus::read(options->folder);
  const CharLSTM model(static_cast<int64_t>(corpus.vocab.size()));
  ts::optim::Adam opt(model.parameters(), {.lr = 3e-3});
  char_corpus::train(*options, corpus, model, model, opt, kBlock, kBatch);
}
