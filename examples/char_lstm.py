"""The model and recipe of char_lstm.cpp in PyTorch 1.13 (run with /usr/bin/python3):

    char_lstm.py [fortunes folder] [--steps N] [--seed S] [--threads N] [--eval-every K]
    char_lstm.py [fortunes folder] --load weights.safetensors   (validation loss of saved weights)

With the same seed, the C++ program's --rng pytorch run starts from the same weights and sees
the same batches."""
import torch
import torch.nn as nn

import char_corpus

BLOCK, EMBED, HIDDEN, LAYERS, BATCH = 64, 64, 128, 2, 32


class CharLSTM(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.embed = nn.Embedding(vocab, EMBED)
        self.lstm = nn.LSTM(EMBED, HIDDEN, num_layers=LAYERS, batch_first=True)
        self.head = nn.Linear(HIDDEN, vocab)

    def forward(self, idx):
        return self.head(self.lstm(self.embed(idx))[0])


if __name__ == "__main__":
    o = char_corpus.options()
    vocab, train, val = char_corpus.read(o["folder"])
    model = CharLSTM(vocab)
    char_corpus.run(o, model, train, val, lambda params: torch.optim.Adam(params, lr=3e-3), BLOCK, BATCH)
