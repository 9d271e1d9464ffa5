#!/usr/bin/env python3
"""PyTorch reference for bench/run.ts: the same models (bench/mlp.nbrick, bench/cnn.nbrick, bench/resnet20.nbrick,
bench/lstm.nbrick, examples/autoencoder.nbrick), Adam, batch 64, MNIST-shaped random data, 2 CPU threads. Prints one
JSON line per model: {model, backend, samplesPerSec, peakRssMB, params}. `params` counts trainable parameters, which
bench/run.ts checks against our compiled model's.

The twins added for issue 17 (resnet20, lstm, autoencoder) also start from the Keras initialisers our compiler uses
(glorot-uniform kernels, orthogonal recurrent kernel, zero biases; BatchNorm γ=1, β=0); the first two models keep
PyTorch's default init as before (init does not change the speed).

Usage: python3 bench/pytorch_ref.py [--samples N] [--models mlp,cnn,resnet20,lstm,autoencoder] [--threads 2] [--repeat 3]
         [--samples-for resnet20=1024,lstm=1024]
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


def keras_init(model):
    """Keras' default initialisers (what tfjs-layers gives our compiled graphs): glorot-uniform kernels, zero biases."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LSTM):
            # weight_ih is [4u, f]: xavier over it is glorot over Keras' [f, 4u] kernel; weight_hh [4u, u] orthogonal.
            nn.init.xavier_uniform_(m.weight_ih_l0)
            nn.init.orthogonal_(m.weight_hh_l0)
            nn.init.zeros_(m.bias_ih_l0)
    return model


def bn2d(channels):
    return nn.BatchNorm2d(channels, momentum=0.01, eps=1e-3)


class BasicBlock(nn.Module):
    # conv3×3 (stride s) → BN → ReLU → conv3×3 → BN, + shortcut (1×1 stride-s conv + BN when the shape changes), ReLU.
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.b1 = bn2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.b2 = bn2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), bn2d(cout))

    def forward(self, x):
        h = torch.relu(self.b1(self.c1(x)))
        h = self.b2(self.c2(h))
        return torch.relu(h + (x if self.proj is None else self.proj(x)))


class ResNet20(nn.Module):
    # He et al. 2016's CIFAR ResNet-20 on 28×28×1 (mirrors resnet20.nbrick; 'same' padding = padding 1 for stride 1,
    # and for stride 2 on an even size TF pads (0, 1) where PyTorch pads (1, 1): same output size and cost).
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.stem_bn = bn2d(16)
        blocks = []
        cin = 16
        for stage, cout in enumerate([16, 32, 64]):
            for b in range(3):
                blocks.append(BasicBlock(cin, cout, 2 if (b == 0 and stage > 0) else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.out = nn.Linear(64, 10)

    def forward(self, x):
        h = self.blocks(torch.relu(self.stem_bn(self.stem(x))))
        return self.out(torch.mean(h, dim=(2, 3)))


class Lstm(nn.Module):
    # The 28×28 image as 28 steps of 28 features → LSTM 128 (last state) → Dense 10 (mirrors lstm.nbrick). Keras' LSTM
    # has one bias per gate, PyTorch's two: bias_hh stays zero and frozen, so the trainable parameters match. tfjs'
    # LSTM gates with hard sigmoid (its default recurrentActivation), PyTorch's fused LSTM with sigmoid.
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 128, batch_first=True)
        self.out = nn.Linear(128, 10)
        nn.init.zeros_(self.lstm.bias_hh_l0)
        self.lstm.bias_hh_l0.requires_grad_(False)

    def forward(self, x):
        _, (h, _) = self.lstm(x.reshape(x.shape[0], 28, 28))
        return self.out(h[-1])


class Autoencoder(nn.Module):
    # Flatten → Dense 128 relu → Dense 32 relu → Dense 128 relu → Dense 784 linear, MSE against the input
    # (mirrors examples/autoencoder.nbrick: a regression head on MNIST reconstructs the image).
    reconstructs = True

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 32), nn.ReLU(), nn.Linear(32, 128), nn.ReLU(),
            nn.Linear(128, 784),
        )

    def forward(self, x):
        return self.net(x)


def bench(name, model, samples, batch_size=64, warmup_batches=3, repeat=3, budget_seconds=30.0):
    torch.manual_seed(0)
    x = torch.rand(samples, 1, 28, 28)
    y = torch.randint(0, 10, (samples,))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=1e-3)
    reconstructs = getattr(model, "reconstructs", False)
    # Cross-entropy on logits equals the tfjs softmax head + categorical cross-entropy; the autoencoder's MSE compares
    # its output with the flattened input, as our trainer does for a regression head on MNIST.
    mse = nn.MSELoss()
    ce = nn.CrossEntropyLoss()
    loss_fn = (lambda out, xb, yb: mse(out, torch.flatten(xb, 1))) if reconstructs else (lambda out, xb, yb: ce(out, yb))
    model.train()

    def step(i):
        xb = x[i : i + batch_size]
        yb = y[i : i + batch_size]
        opt.zero_grad()
        loss = loss_fn(model(xb), xb, yb)
        loss.backward()
        opt.step()
        return loss.item()  # read the loss every batch, as the tfjs trainer does

    for b in range(warmup_batches):
        step(b * batch_size)
    # One pass over `samples` is well under a second here and this machine is noisy: time `repeat` passes and report
    # the fastest (the number most favourable to PyTorch), with the median beside it.
    # A setup that runs a model very slowly (e.g. ResNet-20 with OpenBLAS' own threads next to torch's on 2 cores: ~50x
    # slower) stops after the pass that uses up `budget_seconds`, so the bench stays minutes; `passes` says how many ran.
    rates = []
    spent = 0.0
    for _ in range(repeat):
        if rates and spent > budget_seconds:
            break
        start = time.perf_counter()
        done = 0
        for i in range(0, samples - batch_size + 1, batch_size):
            step(i)
            done += batch_size
        elapsed = time.perf_counter() - start
        spent += elapsed
        rates.append(done / elapsed)
    rates.sort()
    return {
        "model": name,
        "backend": "pytorch",
        "samplesPerSec": rates[-1],
        "medianSamplesPerSec": rates[len(rates) // 2],
        "passes": len(rates),
        "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torchVersion": torch.__version__,
        "threads": torch.get_num_threads(),
        "samples": samples,
        "params": sum(p.numel() for p in params),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=4096)
    parser.add_argument("--models", default="mlp,cnn")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the samples; the fastest is reported")
    parser.add_argument("--samples-for", default="", help="per-model sample counts, e.g. resnet20=1024,lstm=1024")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    factories = {
        "mlp": Mlp,
        "cnn": Cnn,
        "resnet20": lambda: keras_init(ResNet20()),
        "lstm": lambda: keras_init(Lstm()),
        "autoencoder": lambda: keras_init(Autoencoder()),
    }
    per_model = {}
    for item in filter(None, args.samples_for.split(",")):
        key, _, value = item.partition("=")
        if key not in factories or not value.isdigit():
            print(f"--samples-for: bad entry {item!r}; expected model=count with model one of {', '.join(factories)}", file=sys.stderr)
            return 2
        per_model[key] = int(value)
    for name in args.models.split(","):
        if name not in factories:
            print(f"unknown model {name!r}; expected one of {', '.join(factories)}", file=sys.stderr)
            return 2
        samples = per_model.get(name, args.samples)
        print(json.dumps(bench(name, factories[name](), samples, repeat=args.repeat)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
