#!/usr/bin/env python3
"""PyTorch reference for bench/run.ts: the same two models (bench/mlp.nbrick, bench/cnn.nbrick), Adam, batch 64,
MNIST-shaped random data, 2 CPU threads. Prints one JSON line per model: {model, backend, samplesPerSec, peakRssMB}.

Usage: python3 bench/pytorch_ref.py [--samples N] [--models mlp,cnn] [--threads 2] [--repeat 3]
"""
import argparse
import json
import resource
import sys
import time

import torch
from torch import nn


class Mlp(nn.Module):
    # Flatten → Dense 256 relu → BN → Dense 256 relu → Add(BN, dense2) → Dense 10 softmax (mirrors mlp.nbrick).
    def __init__(self):
        super().__init__()
        self.d1 = nn.Linear(784, 256)
        # Keras BatchNormalization defaults: momentum 0.99 (PyTorch counts 1 - momentum), epsilon 1e-3.
        self.bn = nn.BatchNorm1d(256, momentum=0.01, eps=1e-3)
        self.d2 = nn.Linear(256, 256)
        self.out = nn.Linear(256, 10)

    def forward(self, x):
        x = torch.flatten(x, 1)
        h = self.bn(torch.relu(self.d1(x)))
        return self.out(h + torch.relu(self.d2(h)))


class Cnn(nn.Module):
    # conv16 3×3 relu → conv16 3×3 → BN → Add(conv1) → maxpool 2 → flatten → Dense 10 (mirrors cnn.nbrick).
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 16, 3, padding=1)
        self.bn = nn.BatchNorm2d(16, momentum=0.01, eps=1e-3)
        self.pool = nn.MaxPool2d(2)
        self.out = nn.Linear(16 * 14 * 14, 10)

    def forward(self, x):
        a = torch.relu(self.c1(x))
        b = self.bn(self.c2(a))
        return self.out(torch.flatten(self.pool(a + b), 1))


def bench(name, model, samples, batch_size=64, warmup_batches=3, repeat=3):
    torch.manual_seed(0)
    x = torch.rand(samples, 1, 28, 28)
    y = torch.randint(0, 10, (samples,))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    # Cross-entropy on logits equals the tfjs softmax head + categorical cross-entropy.
    loss_fn = nn.CrossEntropyLoss()
    model.train()

    def step(i):
        xb = x[i : i + batch_size]
        yb = y[i : i + batch_size]
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss.item()  # read the loss every batch, as the tfjs trainer does

    for b in range(warmup_batches):
        step(b * batch_size)
    # One pass over `samples` is well under a second here and this machine is noisy: time `repeat` passes and report
    # the fastest (the number most favourable to PyTorch), with the median beside it.
    rates = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = 0
        for i in range(0, samples - batch_size + 1, batch_size):
            step(i)
            done += batch_size
        rates.append(done / (time.perf_counter() - start))
    rates.sort()
    return {
        "model": name,
        "backend": "pytorch",
        "samplesPerSec": rates[-1],
        "medianSamplesPerSec": rates[len(rates) // 2],
        "passes": repeat,
        "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torchVersion": torch.__version__,
        "threads": torch.get_num_threads(),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=4096)
    parser.add_argument("--models", default="mlp,cnn")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the samples; the fastest is reported")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    factories = {"mlp": Mlp, "cnn": Cnn}
    for name in args.models.split(","):
        if name not in factories:
            print(f"unknown model {name!r}; expected mlp or cnn", file=sys.stderr)
            return 2
        print(json.dumps(bench(name, factories[name](), args.samples, repeat=args.repeat)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
