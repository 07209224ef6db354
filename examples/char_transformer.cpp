// A small GPT-style character model trained on Debian's fortunes: token and position
// embeddings, pre-norm causal self-attention blocks with a GELU MLP, the output layer tied to
// the token embedding; AdamW with linear warm-up and cosine decay, gradient clipping. Prints the
// train and validation loss, samples text with temperature and top-k, and saves the weights
// under PyTorch's state_dict names:
//
//   char_transformer [fortunes folder] [--steps N] [--seed S] [--rng pytorch] [--threads N]
//                    [--eval-every K] [--out file.safetensors] [--sample N]
//
// examples/char_transformer.py builds the same model in PyTorch with the same recipe (with
// --rng pytorch and the same seed, the same initial weights and batches), and with --load
// evaluates the weights this program saved. The corpus is every plain-text file of the folder
// (default /usr/share/games/fortunes, from `apt-get install fortunes`); char_corpus.hpp.
#include "char_corpus.hpp"

namespace {

constexpr int64_t kBlock = 64, kModel = 128, kHeads = 4, kLayers = 2, kBatch = 32;

/** torch.nn.Module layout: tok, pos, blocks (a TransformerEncoder), ln_f; logits = ln_f(x) @ tok.weight.T. */
struct CharGPT : ts::nn::Module {
  ts::nn::Embedding tok, pos;
  ts::nn::TransformerEncoder blocks;
  ts::nn::LayerNorm ln_f;
  ts::Tensor<bool> causal = ts::ones<bool>({kBlock, kBlock}).triu(1);

  explicit CharGPT(int64_t vocab)
      : tok(register_module("tok", ts::nn::Embedding(vocab, kModel))),
        pos(register_module("pos", ts::nn::Embedding(kBlock, kModel))),
        blocks(register_module("blocks", ts::nn::TransformerEncoder(
                                             ts::nn::TransformerEncoderLayer(kModel, kHeads,
                                                                             {.dim_feedforward = 4 * kModel,
                                                                              .dropout = 0.0,
                                                                              .activation = "gelu",
                                                                              .batch_first = true,
                                                                              .norm_first = true}),
                                             kLayers))),
        ln_f(register_module("ln_f", ts::nn::LayerNorm(kModel))) {
    ts::nn::init::normal_(tok.weight(), 0.0, 0.02);
    ts::nn::init::normal_(pos.weight(), 0.0, 0.02);
  }
  ts::Tensor<float> operator()(const ts::Tensor<int64_t>& idx) const {
    const int64_t t = idx.size(1);
    const auto x = blocks(tok(idx) + pos(ts::arange<int64_t>(t)), causal.slice(0, 0, t).slice(1, 0, t));
    return ts::nn::functional::linear(ln_f(x), tok.weight());
  }
};

}  // namespace

int main(int argc, char** argv) {
  const auto options = char_corpus::parse(argc, argv, "char_transformer");
  if (!options) return 1;
  const char_corpus::Corpus corpus = char_corpus::read(options->folder);
  const CharGPT model(static_cast<int64_t>(corpus.vocab.size()));
  ts::optim::AdamW opt(model.parameters(), {.lr = 2e-3, .beta1 = 0.9, .beta2 = 0.99, .weight_decay = 0.1});
  char_corpus::train(*options, corpus, model, model, opt, kBlock, kBatch);
}
