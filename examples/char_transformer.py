"""The model and recipe of char_transformer.cpp in PyTorch 1.13 (run with /usr/bin/python3):

    char_transformer.py [fortunes folder] [--steps N] [--seed S] [--threads N] [--eval-every K]
    char_transformer.py [fortunes folder] --load weights.safetensors   (validation loss of saved weights)

With the same seed, the C++ program's --rng pytorch run starts from the same weights and sees
the same batches."""
import torch
import torch.nn as nn
import torch.nn.functional as F

import char_corpus

BLOCK, D_MODEL, HEADS, LAYERS, BATCH = 64, 128, 4, 2, 32


class CharGPT(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.tok = nn.Embedding(vocab, D_MODEL)
        self.pos = nn.Embedding(BLOCK, D_MODEL)
        layer = nn.TransformerEncoderLayer(D_MODEL, HEADS, 4 * D_MODEL, dropout=0.0, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, LAYERS, enable_nested_tensor=False)
        self.ln_f = nn.LayerNorm(D_MODEL)
        self.register_buffer("causal", torch.triu(torch.ones(BLOCK, BLOCK, dtype=torch.bool), 1), persistent=False)
        nn.init.normal_(self.tok.weight, 0.0, 0.02)
        nn.init.normal_(self.pos.weight, 0.0, 0.02)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.blocks(self.tok(idx) + self.pos(torch.arange(t)), self.causal[:t, :t])
        return F.linear(self.ln_f(x), self.tok.weight)


if __name__ == "__main__":
    o = char_corpus.options()
    vocab, train, val = char_corpus.read(o["folder"])
    model = CharGPT(vocab)
    char_corpus.run(o, model, train, val,
                    lambda params: torch.optim.AdamW(params, lr=2e-3, betas=(0.9, 0.99), weight_decay=0.1),
                    BLOCK, BATCH)
