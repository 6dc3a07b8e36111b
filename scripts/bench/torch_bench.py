#!/usr/bin/env python3
"""PyTorch side of `rnn-lab bench`: the same char-LM workloads, 1 thread, one JSON object on stdout.

Model A: 1-layer LSTM H=128; model B: 2-layer GRU H=256; embedding 64, batch 32 contiguous streams,
sequence 64 (truncated BPTT, state carried and detached), Adam lr 2e-3, float32. Training tok/s is
the median over steps after warm-up; sampling generates N characters one at a time (batch 1,
temperature 1, state carried). Also reports which BLAS library the process actually loaded.

Run by src/cli/bench.ts with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE:
  /usr/bin/python3 scripts/bench/torch_bench.py --corpus FILE --model A --steps 30 --warmup 5 --sample 2000
"""
import argparse
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
    return "built-in (no external BLAS found)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--model", choices=["A", "B"], required=True)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--sample", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=64)
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(1)
    text = open(args.corpus, encoding="utf-8").read()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.long)
    V = len(chars)
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
    train_times = times[args.warmup:] or times
    step_s = statistics.median(train_times)

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

    libs = loaded_blas()
    out = {
        "model": args.model,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas_kind(libs),
        "blasLibraries": libs,
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
