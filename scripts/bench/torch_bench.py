#!/usr/bin/env python3
"""PyTorch side of `rnn-lab bench`: the same char-LM workloads, 1 thread, one JSON object on stdout.

Model A: 1-layer LSTM H=128; model B: 2-layer GRU H=256; embedding 64, batch 32 contiguous streams,
sequence 64 (truncated BPTT, state carried and detached), Adam lr 2e-3, float32. Training tok/s is
from the mean step after warm-up, the slowest tenth left out (as rnn-lab bench times its own); sampling generates N characters one at a time (batch 1,
temperature 1, state carried). Also reports which BLAS library the process actually loaded.

--quality: the time-to-quality workload instead: model A on the corpus less its last 1% (held out,
as RNN Lab's `validation: 0.01`), windows in order as RNN Lab's trainer feeds them (state carried,
reset at each epoch), the validation loss every --eval-every steps over the held-out text as RNN
Lab's evaluateLm computes it (batch 32 streams, at most 64 windows, state carried); reports
(step, seconds since the first step began, validation loss) at each evaluation.

The backend is read from torch itself (torch.__config__.show(): BLAS_INFO, MKL and oneDNN versions,
CPU capability), the BLAS/LAPACK libraries actually mapped (/proc/self/maps: Debian's torch goes
through the libblas.so.3 alternative), and the recurrent op one training step really ran (the
autograd profiler: aten::mkldnn_rnn_layer is oneDNN's fused RNN, aten::addmm/mm per-step GEMMs).

Run by src/cli/bench.ts with OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE:
  PYTHON scripts/bench/torch_bench.py --corpus FILE --model A --steps 30 --warmup 5 --sample 2000
  PYTHON scripts/bench/torch_bench.py --corpus FILE --quality --steps 400 --eval-every 50
"""
import argparse
import re
import json
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn


class CharModel(nn.Module):
    def __init__(self, vocab, cell, hidden, layers, embedding=64):
        super().__init__()
        self.embed = nn.Embedding(vocab, embedding)
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnn = rnn(embedding, hidden, num_layers=layers)  # time-major, like the engine
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, state):
        y, state = self.rnn(self.embed(x), state)
        return self.head(y), state


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def loaded_blas():
    """The BLAS/LAPACK shared objects mapped into this process (after a matmul forced loading)."""
    torch.randn(64, 64) @ torch.randn(64, 64)
    libs = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            name = path.rsplit("/", 1)[-1]
            if any(k in name for k in ("blas", "mkl", "lapack")):
                libs.add(path)
    return sorted(libs)


def blas_kind(libs):
    joined = " ".join(libs)
    if "mkl" in joined:
        return "MKL"
    if "openblas" in joined:
        return "OpenBLAS"
    if "blis" in joined:
        return "BLIS"
    if "atlas" in joined:
        return "ATLAS"
    if "libblas" in joined:
        return "reference BLAS (netlib)"
    return None


def recurrent_ops(model, V, cell):
    """The recurrent ops (and GEMMs) one forward+backward of the model runs, by the autograd profiler."""
    x = torch.randint(0, V, (8, 4))
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        logits, _ = model(x, None)
        logits.sum().backward()
    model.zero_grad()
    names = {e.key for e in prof.key_averages()}
    keep = ("mkldnn", "_rnn", "lstm_cell", "gru_cell", "aten::addmm", "aten::mm", "aten::lstm", "aten::gru")
    return sorted(n for n in names if n.startswith("aten::") and any(k in n for k in keep))


def backend(model, V, cell):
    """What does the arithmetic, as torch reports it: BLAS, oneDNN, CPU capability, the RNN op."""
    config = torch.__config__.show()
    blas_info = (re.search(r"BLAS_INFO=([^,\s]+)", config) or [None, "?"])[1]
    mkl = re.search(r"Math Kernel Library Version ([0-9.]+)", config)
    onednn = re.search(r"MKL-DNN (v[0-9.]+)", config)
    capability = (re.search(r"CPU capability usage: (\S+)", config) or [None, "?"])[1]
    # numpy's own OpenBLAS (numpy.libs) may be mapped too, but torch never calls it
    libs = [lib for lib in loaded_blas() if "numpy" not in lib]
    ops = recurrent_ops(model, V, cell)
    if blas_info == "mkl" and mkl:
        blas = f"MKL {mkl[1]}"
    else:
        blas = blas_kind(libs) or f"BLAS_INFO={blas_info}, no BLAS library mapped"
    if any("mkldnn_rnn" in op for op in ops):
        rnn = f"{cell.upper()} on oneDNN {onednn[1] if onednn else ''} (fused RNN primitive)".replace("  ", " ")
    else:
        rnn = f"{cell.upper()} as per-step GEMMs (aten::addmm)"
    return {
        "blas": blas, "blasInfo": blas_info, "blasLibraries": libs, "onednn": onednn[1] if onednn else None,
        "mkldnnEnabled": bool(torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled),
        "cpuCapability": capability, "recurrentOps": ops, "rnn": rnn,
        "summary": f"{rnn}; GEMMs {blas} (BLAS_INFO={blas_info}); CPU capability {capability}",
    }


class Windows:
    """RNN Lab's LmWindows (src/pipeline/batching.ts): B contiguous streams, windows of T in order."""

    def __init__(self, ids, batch, seq):
        usable = len(ids) - 1
        self.ids = ids
        self.B = max(1, min(batch, usable // min(seq, usable)))
        self.stream = usable // self.B
        self.T = min(seq, self.stream)
        self.per_epoch = self.stream // self.T

    def window(self, position):
        starts = torch.arange(self.B) * self.stream + position * self.T
        offsets = starts.unsqueeze(0) + torch.arange(self.T).unsqueeze(1)  # (T, B)
        return self.ids[offsets], self.ids[offsets + 1]


def evaluate(model, val, V, start, window=256, max_tokens=1 << 17):
    """RNN Lab's validation loss (src/pipeline/eval/lmScorer.ts): the held-out text read as one stream
    in order (batch 1, windows of 256, the state carried), the first token predicted from a line
    start; the mean cross-entropy per token over at most 2^17 tokens."""
    n = min(len(val), max_tokens)
    inputs = torch.cat([torch.tensor([start]), val[: n - 1]])
    total, state = 0.0, None
    model.eval()
    with torch.no_grad():
        for s in range(0, n, window):
            logits, state = model(inputs[s:s + window].view(-1, 1), state)
            total += nn.functional.cross_entropy(logits.reshape(-1, V), val[s:min(n, s + window)], reduction="sum").item()
    model.train()
    return total / n


def quality(args, ids, V, start):
    held = int(len(ids) * 0.01)
    train, val = ids[: len(ids) - held], ids[len(ids) - held:]
    model = CharModel(V, "lstm", 128, 1)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()
    windows = Windows(train, 32, 64)
    state, points = None, []
    t0 = time.perf_counter()
    for step in range(1, args.steps + 1):
        position = (step - 1) % windows.per_epoch
        if position == 0:
            state = None
        x, y = windows.window(position)
        logits, state = model(x, state)
        loss = loss_fn(logits.reshape(-1, V), y.reshape(-1))
        opt.zero_grad(set_to_none=False)
        loss.backward()
        opt.step()
        state = detach(state)
        if step % args.eval_every == 0 or step == args.steps:
            points.append({"step": step, "seconds": time.perf_counter() - t0, "valLoss": evaluate(model, val, V, start)})
    return model, {"quality": points, "lastLoss": loss.item()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--model", choices=["A", "B"], default="A")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--sample", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=64)
    ap.add_argument("--quality", action="store_true")
    ap.add_argument("--eval-every", type=int, default=50)
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(1)
    text = open(args.corpus, encoding="utf-8").read()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.long)
    V = len(chars)
    if args.quality:
        model, result = quality(args, ids, V, index["\n"])
        json.dump({"model": "A", "torch": torch.__version__, "threads": torch.get_num_threads(), "backend": backend(model, V, "lstm"),
                   "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **result}, sys.stdout)
        sys.stdout.write("\n")
        return
    cell, hidden, layers = ("lstm", 128, 1) if args.model == "A" else ("gru", 256, 2)
    model = CharModel(V, cell, hidden, layers)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()

    B, T = args.batch, args.seq
    stream = (len(ids) - 1) // B
    starts = torch.arange(B) * stream
    state = None
    times, losses = [], []
    for step in range(args.steps):
        pos = (step * T) % (stream - T)
        offsets = starts.unsqueeze(0) + pos + torch.arange(T).unsqueeze(1)  # (T, B)
        x, y = ids[offsets], ids[offsets + 1]
        t0 = time.perf_counter()
        logits, state = model(x, state)
        loss = loss_fn(logits.reshape(-1, V), y.reshape(-1))
        opt.zero_grad(set_to_none=False)
        loss.backward()
        opt.step()
        state = detach(state)
        times.append(time.perf_counter() - t0)
        losses.append(loss.item())
    # As rnn-lab bench times its own steps: the mean after warm-up, the slowest tenth left out.
    train_times = sorted(times[args.warmup:] or times)
    kept = train_times[: max(1, -(-len(train_times) * 9 // 10))]
    step_s = statistics.fmean(kept)

    model.eval()
    sample_s = None
    if args.sample > 0:
        with torch.no_grad():
            gen = torch.Generator().manual_seed(1)
            token = torch.tensor([[index["\n"]]])
            st = None
            t0 = time.perf_counter()
            for _ in range(args.sample):
                logits, st = model(token, st)
                probs = torch.softmax(logits[0, 0], dim=-1)
                token = torch.multinomial(probs, 1, generator=gen).view(1, 1)
            sample_s = time.perf_counter() - t0

    info = backend(model, V, cell)
    out = {
        "model": args.model,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": info["summary"],
        "blasLibraries": info["blasLibraries"],
        "backend": info,
        "vocab": V,
        "steps": args.steps,
        "warmup": args.warmup,
        "trainStepMs": [round(t * 1000, 3) for t in times],
        "trainTokPerSec": B * T / step_s,
        "firstLoss": losses[0],
        "lastLoss": losses[-1],
        "sampleTokPerSec": (args.sample / sample_s) if sample_s else None,
        "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
