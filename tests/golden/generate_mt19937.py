#!/usr/bin/python3
"""Writes tests/golden/mt19937.txt: PyTorch's CPU generator (torch.manual_seed, then samplers in
order) for tests/test_random_mt19937.cpp, which replays every case with
ts::set_default_rng_algorithm(ts::RngAlgorithm::mt19937) and compares bit for bit.

    /usr/bin/python3 tests/golden/generate_mt19937.py

A case is a seed and a list of calls; each `call` line names a sampler in a small language the
C++ test parses, and the `out` lines after it hold the values (floats as hex, integers decimal;
long outputs as a hash of their bytes); `done` ends a call.
"""
import os

import torch
import torch.nn.functional as F

DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64, "int32": torch.int32, "uint8": torch.uint8,
          "bfloat16": torch.bfloat16}


def fnv1a(data):
    h = 0xcbf29ce484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def fmt(t):
    """The values, or for more than 2000 of them: `hash <FNV-1a of the bytes> <count>` then the first 20."""
    t = t.detach().reshape(-1)
    if t.numel() > 2000:
        head = fmt(t[:20])
        return f"hash {fnv1a(t.contiguous().numpy().tobytes()):016x} {t.numel()} {head}"
    if t.dtype.is_floating_point:
        return " ".join(float(v).hex() for v in t.tolist())
    return " ".join(str(int(v)) for v in t.tolist())


def probs(n, dtype):
    return torch.tensor([(i % 11) / 10 for i in range(n)], dtype=dtype)


def weights(rows, k, dtype):
    return torch.tensor([[((i * k + j) % 7) / 3 for j in range(k)] for i in range(rows)], dtype=dtype)


def run(call):
    """Runs one call on PyTorch's default generator; returns the tensors it produces."""
    a = call.split()
    op = a[0]
    if op == "rand":
        return [torch.rand(int(a[2]), dtype=DTYPES[a[1]])]
    if op == "randn":
        return [torch.randn(int(a[2]), dtype=DTYPES[a[1]])]
    if op == "randint":
        return [torch.randint(int(a[2]), int(a[3]), (int(a[4]),), dtype=DTYPES[a[1]])]
    if op == "randperm":
        return [torch.randperm(int(a[1]))]
    if op == "uniform":
        return [torch.empty(int(a[2]), dtype=DTYPES[a[1]]).uniform_(float(a[3]), float(a[4]))]
    if op == "normal":
        return [torch.empty(int(a[2]), dtype=DTYPES[a[1]]).normal_(float(a[3]), float(a[4]))]
    if op in ("uniform_t", "normal_t", "bernoulli_t"):
        # on the transpose of a contiguous [rows, cols] tensor; the values in logical order
        t = torch.empty(int(a[2]), int(a[3]), dtype=DTYPES[a[1]]).t()
        if op == "uniform_t":
            t.uniform_(-1, 3)
        elif op == "normal_t":
            t.normal_(2, 0.5)
        else:
            t.bernoulli_(0.4)
        return [t.contiguous()]
    if op == "exponential":
        return [torch.empty(int(a[2]), dtype=DTYPES[a[1]]).exponential_(float(a[3]))]
    if op == "cauchy":
        return [torch.empty(int(a[2]), dtype=DTYPES[a[1]]).cauchy_(float(a[3]), float(a[4]))]
    if op == "log_normal":
        return [torch.empty(int(a[2]), dtype=DTYPES[a[1]]).log_normal_(float(a[3]), float(a[4]))]
    if op == "geometric":
        return [torch.empty(int(a[2]), dtype=DTYPES[a[1]]).geometric_(float(a[3]))]
    if op == "poisson":  # poisson dtype rate,rate,...
        return [torch.poisson(torch.tensor([float(v) for v in a[2].split(",")], dtype=DTYPES[a[1]]))]
    if op == "poisson_t":  # rates arange(rows * cols) * 3.7 as [rows, cols], transposed; values in logical order
        rates = (torch.arange(int(a[2]) * int(a[3]), dtype=torch.float64) * 3.7).reshape(int(a[2]), int(a[3]))
        return [torch.poisson(rates.to(DTYPES[a[1]]).t()).contiguous()]
    if op == "binomial":  # binomial dtype count,count,... prob,prob,...
        count = torch.tensor([float(v) for v in a[2].split(",")], dtype=DTYPES[a[1]])
        return [torch.binomial(count, torch.tensor([float(v) for v in a[3].split(",")], dtype=DTYPES[a[1]]))]
    if op == "fractional_max_pool":  # fractional_max_pool dtype dims: samples from the generator, on integers with ties
        if a[2] == "2":
            x = (torch.arange(2 * 3 * 7 * 6) * 37 % 101).reshape(2, 3, 7, 6).to(DTYPES[a[1]])
            return list(F.fractional_max_pool2d(x, 2, output_size=(4, 3), return_indices=True))
        x = (torch.arange(2 * 2 * 5 * 6 * 7) * 37 % 101).reshape(2, 2, 5, 6, 7).to(DTYPES[a[1]])
        return list(F.fractional_max_pool3d(x, 2, output_size=(3, 4, 5), return_indices=True))
    if op == "cauchy_t":  # on the transpose of a contiguous [rows, cols] tensor; values in logical order
        return [torch.empty(int(a[2]), int(a[3]), dtype=DTYPES[a[1]]).t().cauchy_(1, 0.5).contiguous()]
    if op == "random":
        # random dtype n [from] to: random_(), random_(to) or random_(from, to)
        t = torch.empty(int(a[2]), dtype=DTYPES[a[1]])
        return [t.random_(*(int(v) for v in a[3:]))]
    if op == "bernoulli":
        return [torch.bernoulli(probs(int(a[2]), DTYPES[a[1]]))]
    if op == "bernoulli_":
        return [torch.empty(int(a[2]), dtype=DTYPES[a[1]]).bernoulli_(float(a[3]))]
    if op == "multinomial":
        rows, k, n, repl = int(a[2]), int(a[3]), int(a[4]), a[5] == "1"
        w = weights(rows, k, DTYPES[a[1]])
        return [torch.multinomial(w if rows > 1 else w[0], n, replacement=repl)]
    if op == "dropout":
        x = torch.arange(1, int(a[2]) + 1, dtype=DTYPES[a[1]])
        return [F.dropout(x, float(a[3]), training=True)]
    if op == "linear":
        m = torch.nn.Linear(int(a[1]), int(a[2]), bias=a[3] == "1")
        return [m.weight] + ([m.bias] if m.bias is not None else [])
    if op == "conv2d":
        m = torch.nn.Conv2d(int(a[1]), int(a[2]), int(a[3]), bias=a[4] == "1")
        return [m.weight] + ([m.bias] if m.bias is not None else [])
    if op in ("conv_transpose1d", "conv_transpose2d"):
        # conv_transposeNd in out k groups bias: the transposed weight [in, out / groups, k...] and its fan_in
        layer = torch.nn.ConvTranspose1d if op == "conv_transpose1d" else torch.nn.ConvTranspose2d
        m = layer(int(a[1]), int(a[2]), int(a[3]), groups=int(a[4]), bias=a[5] == "1")
        return [m.weight] + ([m.bias] if m.bias is not None else [])
    if op == "embedding":
        return [torch.nn.Embedding(int(a[1]), int(a[2])).weight]
    if op == "embedding_pad":
        return [torch.nn.Embedding(int(a[1]), int(a[2]), padding_idx=int(a[3])).weight]
    if op == "dropout2d":
        # dropout2d dtype n c l p: arange(1, n c l + 1) of shape [n, c, l, 1]
        n, c, l = int(a[2]), int(a[3]), int(a[4])
        x = torch.arange(1, n * c * l + 1, dtype=DTYPES[a[1]]).reshape(n, c, l, 1)
        return [F.dropout2d(x, float(a[5]), training=True)]
    if op == "dropout1d":
        # dropout1d dtype c l p: arange(1, c l + 1) of shape [c, l], unbatched (one draw per channel)
        c, l = int(a[2]), int(a[3])
        x = torch.arange(1, c * l + 1, dtype=DTYPES[a[1]]).reshape(c, l)
        return [F.dropout1d(x, float(a[4]), training=True)]
    if op == "gumbel_softmax":
        # gumbel_softmax dtype rows cols tau hard: logits arange(rows cols).sin() of shape [rows, cols]
        r, c = int(a[2]), int(a[3])
        x = torch.arange(r * c, dtype=DTYPES[a[1]]).reshape(r, c).sin()
        return [F.gumbel_softmax(x, tau=float(a[4]), hard=a[5] == "1")]
    if op == "rrelu":
        # rrelu dtype n lower upper: arange(1, n + 1) * 0.25 - 2, training
        x = torch.arange(1, int(a[2]) + 1, dtype=DTYPES[a[1]]) * 0.25 - 2
        return [F.rrelu(x, float(a[3]), float(a[4]), training=True)]
    if op == "alpha_dropout":
        # alpha_dropout dtype n p: arange(1, n + 1) * 0.25 - 2
        x = torch.arange(1, int(a[2]) + 1, dtype=DTYPES[a[1]]) * 0.25 - 2
        return [F.alpha_dropout(x, float(a[3]), training=True)]
    if op == "feature_alpha_dropout":
        # feature_alpha_dropout dtype n c l p: arange(1, n c l + 1) * 0.25 - 2 of shape [n, c, l]
        n, c, l = int(a[2]), int(a[3]), int(a[4])
        x = torch.arange(1, n * c * l + 1, dtype=DTYPES[a[1]]).reshape(n, c, l) * 0.25 - 2
        return [F.feature_alpha_dropout(x, float(a[5]), training=True)]
    if op == "init_uniform":
        return [torch.nn.init.uniform_(torch.empty(int(a[1])), -float(a[2]), float(a[2]))]
    if op == "init_normal":
        return [torch.nn.init.normal_(torch.empty(int(a[1])))]
    if op == "init":
        # init fn dtype shape args...: torch.nn.init.<fn>_ on an empty tensor (shape "6,2,3")
        t = torch.empty([int(v) for v in a[3].split(",")], dtype=DTYPES[a[2]])
        args = [v if v.isalpha() or "_" in v else float(v) if "." in v else int(v) for v in a[4:]]
        return [getattr(torch.nn.init, a[1] + "_")(t, *args)]
    if op == "gain":
        return [torch.tensor([torch.nn.init.calculate_gain(*([a[1]] + [float(v) for v in a[2:]]))], dtype=torch.float64)]
    if op == "loader":
        # loader n batch shuffle drop_last given epochs: the rows each pass visits, in order
        n, b, shuffle, drop_last, given, epochs = (int(v) for v in a[1:7])
        ds = torch.utils.data.TensorDataset(torch.arange(n), torch.arange(n))
        g = torch.Generator().manual_seed(1234) if given else None
        loader = torch.utils.data.DataLoader(ds, batch_size=b, shuffle=bool(shuffle), drop_last=bool(drop_last), generator=g)
        out = []
        for _ in range(epochs):
            out.append(torch.cat([x for x, _ in loader]) if len(loader) else torch.zeros(0, dtype=torch.int64))
        if given:
            out.append(torch.rand(3, generator=g))
        return out
    raise ValueError(call)


CASES = []


def case(name, seed, calls):
    CASES.append((name, seed, calls))


for seed in (0, 42, 2**32 + 7):
    for dt in ("float32", "float64"):
        case(f"rand_{dt}_{seed}", seed, [f"rand {dt} {n}" for n in (1, 5, 17, 1000, 3000)])
        case(f"randn_{dt}_{seed}", seed,
             [f"randn {dt} {n}" for n in (1, 3, 15, 16, 17, 2, 31, 32, 33, 100, 1001)] + [f"randn {dt} 5", f"rand {dt} 3"])
        case(f"uniform_{dt}_{seed}", seed, [f"uniform {dt} 40 -0.3 0.7", f"uniform {dt} 40 -0.0625 0.0625",
                                            f"uniform {dt} 40 2.5 1000", f"uniform {dt} 7 -1 1"])
        case(f"normal_{dt}_{seed}", seed, [f"normal {dt} 40 3 0.5", f"normal {dt} 7 -2 3", f"normal {dt} 16 0.1 7"])
        case(f"bernoulli_{dt}_{seed}", seed, [f"bernoulli {dt} 50", f"bernoulli_ {dt} 50 0.3", f"bernoulli {dt} 7"])
        case(f"multinomial_{dt}_{seed}", seed, [f"multinomial {dt} 1 10 1 0", f"multinomial {dt} 1 10 5 0",
                                                f"multinomial {dt} 3 12 6 0", f"multinomial {dt} 1 10 20 1",
                                                f"multinomial {dt} 4 9 30 1", f"multinomial {dt} 2 9 1 1"])
        case(f"dropout_{dt}_{seed}", seed, [f"dropout {dt} 100 0.5", f"dropout {dt} 33 0.2", f"dropout {dt} 10 0.9"])
    case(f"randint_{seed}", seed, ["randint int64 0 10 50", "randint int64 -5 1000000007 20",
                                   "randint int64 0 4294967296 20", "randint int64 -9000000000000000000 9000000000000000000 20",
                                   "randint int32 -100 100 20", "randint float32 0 5000000000 10", "randint float64 0 100 10"])
    case(f"randperm_{seed}", seed, ["randperm 1", "randperm 2", "randperm 10", "randperm 1000", "randperm 60000"])
    case(f"layers_{seed}", seed, ["linear 784 256 1", "linear 3 5 0", "linear 7 2 1", "conv2d 1 16 3 1", "conv2d 16 32 3 1",
                                  "conv2d 3 4 5 0", "embedding 10 3", "embedding 5 3", "init_uniform 20 0.25", "init_normal 9",
                                  "init_normal 40"])
case("conv_transpose_layers", 11, ["conv_transpose1d 4 6 3 2 1", "conv_transpose2d 16 4 3 2 1", "conv_transpose2d 3 5 2 1 0",
                                   "conv_transpose1d 2 3 5 1 0", "rand float32 3"])
for seed in (0, 42):
    for dt in ("float32", "float64"):
        case(f"nn_init_{dt}_{seed}", seed, [
            f"init uniform {dt} 50 -2.0 3.0", f"init normal {dt} 50 1.0 0.5", f"init normal {dt} 7 0.0 2.0",
            f"init xavier_uniform {dt} 30,20", f"init xavier_uniform {dt} 16,8,3,3 0.5",
            f"init xavier_normal {dt} 30,20", f"init xavier_normal {dt} 4,6,5 1.5",
            f"init kaiming_uniform {dt} 64,32", f"init kaiming_uniform {dt} 10,20,3 2.2 fan_out relu",
            f"init kaiming_uniform {dt} 9,4 0.0 fan_in tanh", f"init kaiming_normal {dt} 40,30 0.0 fan_in relu",
            f"init kaiming_normal {dt} 8,4,5 0.1 fan_out leaky_relu", f"init kaiming_normal {dt} 3,5",
            f"init eye {dt} 3,5", f"init dirac {dt} 6,2,3,3 2", f"init dirac {dt} 4,3,2", f"init constant {dt} 2,3 0.25",
            f"init ones {dt} 4", f"init zeros {dt} 2,2", f"init trunc_normal {dt} 200",
            f"init trunc_normal {dt} 30,20 0.5 0.2 0.0 1.0", f"init orthogonal {dt} 6,4", f"init orthogonal {dt} 3,5 1.5",
            f"init orthogonal {dt} 4,2,3", f"init orthogonal {dt} 30,20", f"init orthogonal {dt} 16,16 0.5",
            f"rand {dt} 3"])
    case(f"exponential_{seed}", seed, [f"exponential {dt} {n} {lambd}" for dt in ("float32", "float64")
                                       for lambd in ("1", "2.5") for n in (1, 5, 16, 17, 100)])
    case(f"random_{seed}", seed, [f"random {dt} {n}{bounds}" for dt in ("int64", "int32", "uint8", "float32", "float64")
                                  for n in (1, 17) for bounds in ("", " 10", " -3 200" if dt != "uint8" else " 3 200")]
         + ["random int64 20 0 5000000000", "random float64 20 -5000000000 5000000000", "random float32 20 0 100000000"])
case("embedding_padding_dropout2d", 3, ["embedding_pad 10 3 2", "embedding_pad 6 4 -1", "dropout2d float32 2 5 3 0.5",
                                        "dropout2d float64 3 4 2 0.25", "rand float32 3"])
case("nn_init_gain", 0, ["gain linear", "gain conv2d", "gain sigmoid", "gain tanh", "gain relu", "gain leaky_relu",
                         "gain leaky_relu 0.2", "gain leaky_relu 2.2360679774997898", "gain selu"])
# Long draws (compared through a hash of their bytes): many runs of 624 words, and the Box-Muller
# blocks split over threads.
for dt in ("float32", "float64"):
    case(f"transposed_{dt}", 5, [f"uniform_t {dt} 3 5", f"normal_t {dt} 4 5", f"normal_t {dt} 2 3", f"bernoulli_t {dt} 3 4",
                                 f"normal {dt} 20 0 1"])
case("long_draws", 123, ["rand float32 70001", "randn float32 100003", "randn float64 20001", "rand float64 5000",
                         "uniform float32 3000 -2 2", "randperm 5000", "randn float32 4"])
for seed in (0, 7):
    case(f"loader_{seed}", seed, ["loader 10 3 1 0 0 2", "loader 10 3 1 0 1 2", "loader 12 4 1 0 1 2",
                                  "loader 10 4 1 1 1 2", "loader 9 4 0 0 0 1", "rand float32 4"])

case("dropout1d_unbatched", 5, ["dropout1d float32 6 4 0.5", "dropout1d float64 3 5 0.25", "rand float32 3"])

case("alpha_dropout", 9, ["alpha_dropout float32 50 0.5", "alpha_dropout float64 20 0.2", "alpha_dropout float32 8 1.0",
                          "feature_alpha_dropout float32 2 5 3 0.5", "feature_alpha_dropout float64 3 4 2 0.25",
                          "rand float32 3"])

case("gumbel_softmax", 4, ["gumbel_softmax float32 3 5 1.0 0", "gumbel_softmax float64 4 3 0.5 0",
                           "gumbel_softmax float32 2 6 2.0 1", "rand float32 3"])

case("rrelu", 6, ["rrelu float32 20 0.125 0.3333333333333333", "rrelu float64 12 0.1 0.5", "rrelu float32 9 0.2 0.2",
                  "rand float32 3"])

case("cauchy_log_normal_geometric", 11, ["cauchy float32 20 0 1", "cauchy float64 7 -1 2.5", "cauchy_t float32 3 4",
                                         "log_normal float32 9 1 2", "log_normal float64 20 0 0.5",
                                         "log_normal float32 5 -1 1", "geometric float32 12 0.3",
                                         "geometric float64 9 0.05", "geometric int64 15 0.5",
                                         "geometric int32 6 0.9", "geometric uint8 8 0.2", "rand float32 3"])

case("poisson", 12, ["poisson float32 0.5,1,3,9.99,0,10,15.5,100,10000,3000000000,0.01,2.5",
                     "poisson float64 0.25,4.5,9.5,10,11.25,37,250.5,1000000.0,0.001,7,12,60,0.25,4.5,9.5,10,11.25,37,250.5,1000000.0,0.001,7,12,60,0.25,4.5,9.5,10,11.25,37,250.5,1000000.0,0.001,7,12,60",
                     "poisson bfloat16 1,20,0.5,200", "poisson_t float32 3 5", "poisson_t float64 4 6",
                     "rand float32 3"])

case("binomial", 13, ["binomial float32 10,100,5.5,0,1000,30,20,40,7,1000000.0,200,3,-4,12,50,25,10,100,5.5,0,1000,30,20,40,7,1000000.0,200,3,-4,12,50,25 0.5,0.2,0.3,0.5,0.99,0.7,0.05,0.95,0.6,0.001,0.5,1.0,0.3,0.0,0.45,0.8,0.5,0.2,0.3,0.5,0.99,0.7,0.05,0.95,0.6,0.001,0.5,1.0,0.3,0.0,0.45,0.8",
                      "binomial float64 10,100,5.5,0,1000,30,20,40,7,1000000.0,200,3,-4,12,50,25,10,100,5.5,0,1000,30,20,40,7,1000000.0,200,3,-4,12,50,25 0.5,0.2,0.3,0.5,0.99,0.7,0.05,0.95,0.6,0.001,0.5,1.0,0.3,0.0,0.45,0.8,0.5,0.2,0.3,0.5,0.99,0.7,0.05,0.95,0.6,0.001,0.5,1.0,0.3,0.0,0.45,0.8",
                      "binomial float32 50,8,400,1 0.35", "binomial float64 9,1000 nan,0.25", "rand float32 3"])

case("fractional_max_pool", 14, ["fractional_max_pool float32 2", "fractional_max_pool float64 3", "rand float32 3"])


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mt19937.txt")
    torch.set_num_threads(1)
    lines = [f"# generated by tests/golden/generate_mt19937.py with torch {torch.__version__}; do not edit"]
    for name, seed, calls in CASES:
        torch.manual_seed(seed)
        lines += [f"case {name}", f"seed {seed}"]
        for call in calls:
            lines.append(f"call {call}")
            for t in run(call):
                lines.append(f"out {fmt(t)}")
            lines.append("done")
        lines.append("end")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {path}: {len(CASES)} cases")


if __name__ == "__main__":
    main()
