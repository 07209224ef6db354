#!/usr/bin/python3
"""Writes tests/golden/attention.txt: torch.nn.MultiheadAttention, TransformerEncoderLayer,
TransformerEncoder, TransformerDecoderLayer, TransformerDecoder and Transformer, built after torch.manual_seed (so their initial weights are PyTorch's draws),
on inputs from torch.randn, for tests/test_nn_attention.cpp, which replays each case with the
mt19937 generator and compares the weights bit for bit, the outputs and the input gradients
within float tolerance. Also the reference formula of scaled_dot_product_attention (PyTorch 2's;
torch 1.13 has no such function).

    /usr/bin/python3 tests/golden/generate_attention.py

Fields: `param <name> <hex floats>` in named_parameters order, then `out`, `weights` (when
asked for) and `dx` (the gradient of sum(out * w), w[i] = 1 + (i % 7) / 4, for the query).
"""
import math
import os

import torch
import torch.nn as nn


def hexes(t):
    return " ".join(float(v).hex() for v in t.detach().reshape(-1).tolist())


def weights_like(t):
    return torch.tensor([1 + (i % 7) / 4 for i in range(t.numel())], dtype=t.dtype).reshape(t.shape)


def sdpa(q, k, v, mask=None, causal=False):
    L, S = q.size(-2), k.size(-2)
    scores = q @ k.transpose(-2, -1) * (1 / math.sqrt(q.size(-1)))
    if causal:
        scores = scores.masked_fill(~torch.ones(L, S, dtype=torch.bool).tril(0), float("-inf"))
    elif mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    return scores.softmax(-1) @ v


def run(case):
    """Builds and runs one case; returns (module or None, output, attention weights or None, query)."""
    name = case
    if name == "mha_self":
        m = nn.MultiheadAttention(8, 2)
        x = torch.randn(5, 3, 8, requires_grad=True)
        out, w = m(x, x, x)
        return m, out, w, x
    if name == "mha_cross_masks":
        m = nn.MultiheadAttention(8, 4, bias=False, batch_first=True)
        q = torch.randn(3, 4, 8, requires_grad=True)
        kv = torch.randn(3, 6, 8)
        pad = torch.tensor([[False] * 6, [False] * 4 + [True] * 2, [True] + [False] * 5])
        mask = torch.zeros(4, 6, dtype=torch.bool)
        mask[0, 5] = True
        mask[2, 0] = True
        out, w = m(q, kv, kv, key_padding_mask=pad, attn_mask=mask, average_attn_weights=False)
        return m, out, w, q
    if name == "mha_unbatched_float_mask":
        m = nn.MultiheadAttention(6, 3)
        q = torch.randn(4, 6, requires_grad=True)
        k = torch.randn(5, 6)
        mask = torch.randn(4, 5)
        out, w = m(q, k, k, attn_mask=mask)
        return m, out, w, q
    if name == "encoder_layer_post_norm":
        m = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0)
        x = torch.randn(5, 3, 8, requires_grad=True)
        pad = torch.tensor([[False] * 5, [False] * 3 + [True] * 2, [False] * 4 + [True]])
        return m, m(x, src_key_padding_mask=pad), None, x
    if name == "encoder_layer_pre_norm_gelu_causal":
        m = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, activation="gelu", batch_first=True,
                                       norm_first=True)
        x = torch.randn(3, 5, 8, requires_grad=True)
        causal = torch.ones(5, 5, dtype=torch.bool).triu(1)
        return m, m(x, src_mask=causal), None, x
    if name == "encoder_two_layers_norm":
        layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0)
        m = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8), enable_nested_tensor=False)
        x = torch.randn(4, 2, 8, requires_grad=True)
        return m, m(x), None, x
    if name == "decoder_layer_post_norm":
        m = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0)
        x = torch.randn(4, 3, 8, requires_grad=True)
        memory = torch.randn(6, 3, 8)
        causal = torch.ones(4, 4, dtype=torch.bool).triu(1)
        pad = torch.tensor([[False] * 6, [False] * 4 + [True] * 2, [False] * 5 + [True]])
        return m, m(x, memory, tgt_mask=causal, memory_key_padding_mask=pad), None, x
    if name == "decoder_layer_pre_norm_gelu":
        m = nn.TransformerDecoderLayer(8, 4, dim_feedforward=12, dropout=0.0, activation="gelu", batch_first=True,
                                       norm_first=True)
        x = torch.randn(2, 5, 8, requires_grad=True)
        memory = torch.randn(2, 3, 8)
        memory_mask = torch.randn(5, 3)
        tgt_pad = torch.tensor([[False] * 5, [False] * 3 + [True] * 2])
        return m, m(x, memory, memory_mask=memory_mask, tgt_key_padding_mask=tgt_pad), None, x
    if name == "decoder_two_layers_norm":
        layer = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0)
        m = nn.TransformerDecoder(layer, 2, norm=nn.LayerNorm(8))
        x = torch.randn(3, 2, 8, requires_grad=True)
        memory = torch.randn(4, 2, 8)
        return m, m(x, memory), None, x
    if name == "transformer":
        m = nn.Transformer(8, 2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16, dropout=0.0,
                           batch_first=True)
        src = torch.randn(2, 5, 8)
        x = torch.randn(2, 4, 8, requires_grad=True)
        return m, m(src, x, tgt_mask=nn.Transformer.generate_square_subsequent_mask(4)), None, x
    if name == "sdpa_causal":
        q = torch.randn(2, 3, 4, 5, requires_grad=True)
        k, v = torch.randn(2, 3, 6, 5), torch.randn(2, 3, 6, 7)
        return None, sdpa(q, k, v, causal=True), None, q
    if name == "sdpa_bool_mask":
        q = torch.randn(2, 4, 5, requires_grad=True)
        k, v = torch.randn(2, 6, 5), torch.randn(2, 6, 3)
        mask = torch.ones(4, 6, dtype=torch.bool)
        mask[1, 2:] = False
        mask[3, 0] = False
        return None, sdpa(q, k, v, mask=mask), None, q
    if name == "sdpa_float_mask":
        q = torch.randn(3, 4, requires_grad=True)
        k, v = torch.randn(5, 4), torch.randn(5, 2)
        mask = torch.randn(3, 5)
        return None, sdpa(q, k, v, mask=mask), None, q
    raise ValueError(case)


CASES = ["mha_self", "mha_cross_masks", "mha_unbatched_float_mask", "encoder_layer_post_norm",
         "encoder_layer_pre_norm_gelu_causal", "encoder_two_layers_norm", "sdpa_causal", "sdpa_bool_mask",
         "sdpa_float_mask", "decoder_layer_post_norm", "decoder_layer_pre_norm_gelu", "decoder_two_layers_norm",
         "transformer"]


def main():
    torch.set_num_threads(1)
    lines = [f"# generated by tests/golden/generate_attention.py with torch {torch.__version__}; do not edit"]
    for seed, case in enumerate(CASES):
        torch.manual_seed(seed)
        m, out, w, x = run(case)
        (out * weights_like(out)).sum().backward()
        lines += [f"case {case}", f"seed {seed}"]
        if m is not None:
            lines += [f"param {n} {hexes(p)}" for n, p in m.named_parameters()]
        lines += [f"out {hexes(out)}"]
        if w is not None:
            lines.append(f"weights {hexes(w)}")
        lines += [f"dx {hexes(x.grad)}", "end"]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "attention.txt")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {path}: {len(CASES)} cases")


if __name__ == "__main__":
    main()
