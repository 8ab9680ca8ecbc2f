#!/usr/bin/python3
# Generates the PyTorch reference fixture for the optimizers: Tests/Fixtures/pytorch-optimizers/optimizers.json.
# Fixture format version 1. Run with Debian's python3-torch (1.13):
#   /usr/bin/python3 Tests/Fixtures/generate_pytorch_optimizer_fixtures.py
# Each case starts from random float32 values, applies a few steps of torch.optim with given random gradients, and
# records the values after every step. The C# test replays the same gradients through AdamOptimizer/SgdOptimizer on
# both kernels. PyTorch's AdamW is Adam with decoupled weight decay, MlNetRnn's WeightDecay.
import json
import os

import torch

torch.manual_seed(20261202)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch-optimizers")
COUNT = 67  # odd: the vector loops' tails run too
STEPS = 4


def flat(t):
    # 9 significant digits hold a float32 exactly.
    return [float("%.9g" % v) for v in t.detach().contiguous().view(-1).tolist()]


def run(name, make, lr, **options):
    w = torch.nn.Parameter(torch.randn(COUNT))
    start = w.detach().clone()
    optimizer = make([w], lr=lr, **options)
    gradients, values = [], []
    for _ in range(STEPS):
        g = torch.randn(COUNT) * torch.rand(COUNT) * 3  # varied magnitudes
        w.grad = g.clone()
        optimizer.step()
        gradients.append(flat(g))
        values.append(flat(w))
    return {"name": name, "learning_rate": lr, "options": options, "initial": flat(start),
            "gradients": gradients, "values": values}


cases = [
    run("adam", torch.optim.Adam, 1e-2),
    run("adam-betas", torch.optim.Adam, 3e-3, betas=(0.8, 0.95), eps=1e-6),
    run("adamw", torch.optim.AdamW, 1e-2, weight_decay=0.1),
    run("sgd", torch.optim.SGD, 0.5),
    run("sgd-momentum", torch.optim.SGD, 0.1, momentum=0.9),
    run("sgd-nesterov", torch.optim.SGD, 0.1, momentum=0.8, nesterov=True),
]
os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "optimizers.json"), "w") as f:
    json.dump({"version": 1, "torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print("wrote", len(cases), "cases to", OUT)
