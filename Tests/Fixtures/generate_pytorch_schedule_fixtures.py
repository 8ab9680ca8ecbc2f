#!/usr/bin/python3
# Generates the PyTorch reference fixture for the learning-rate schedules: Tests/Fixtures/pytorch-schedules/schedules.json.
# Fixture format version 1. Run with Debian's python3-torch (1.13):
#   /usr/bin/python3 Tests/Fixtures/generate_pytorch_schedule_fixtures.py
# Each case drives torch.optim.lr_scheduler for a number of scheduler steps (epochs or optimizer steps: the arithmetic
# is the same) and records the learning rate in force before each step, and for ReduceLROnPlateau the validation
# losses it was fed. MlNetRnn's LearningRateScheduler replays the same steps and losses. Warm-up is LinearLR, joined
# to the schedule after it by SequentialLR (which restarts the second schedule at its step 0); ReduceLROnPlateau is
# not an LRScheduler in 1.13, so the warm-up case steps LinearLR through the warm-up epochs and the plateau
# scheduler from then on. Cosine cases stop at T_max: past it CosineAnnealingLR rises again, MlNetRnn stays at the floor.
import json
import os
import warnings

import torch

warnings.filterwarnings("ignore")  # SequentialLR's own step(0) call warns about the deprecated epoch argument
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch-schedules")
BASE = 0.1


def optimizer():
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=BASE)


def rates(o, scheduler, steps, losses=None):
    out = []
    for i in range(steps):
        out.append(o.param_groups[0]["lr"])
        o.step()
        if losses is None:
            scheduler.step()
        else:
            scheduler.step(losses[i])
    return out


def case(name, schedule, steps, make, losses=None):
    o = optimizer()
    scheduler = make(o)
    return {"name": name, "base_rate": BASE, "schedule": schedule, "losses": losses, "rates": rates(o, scheduler, steps, losses)}


def warmup(o, start, length, then):
    return torch.optim.lr_scheduler.SequentialLR(
        o, [torch.optim.lr_scheduler.LinearLR(o, start_factor=start, total_iters=length), then(o)], milestones=[length])


lr = torch.optim.lr_scheduler
# Validation losses with a fall, plateaus, gains smaller than the relative threshold (1e-4) and a late improvement.
plateau_losses = [1.0, 0.8, 0.7, 0.7, 0.69995, 0.71, 0.7, 0.5, 0.5, 0.5, 0.5, 0.49999, 0.6, 0.6, 0.6, 0.6, 0.45, 0.45,
                  0.45, 0.45, 0.45, 0.45, 0.45, 0.45]
cases = [
    case("cosine", {"kind": "Cosine", "cycle": 10, "minimum": 1e-3}, 11,
         lambda o: lr.CosineAnnealingLR(o, T_max=10, eta_min=1e-3)),
    case("cosine-to-zero-odd", {"kind": "Cosine", "cycle": 7, "minimum": 0.0}, 8,
         lambda o: lr.CosineAnnealingLR(o, T_max=7)),
    case("restarts", {"kind": "CosineWithRestarts", "cycle": 5, "multiplier": 1, "minimum": 1e-3}, 17,
         lambda o: lr.CosineAnnealingWarmRestarts(o, T_0=5, eta_min=1e-3)),
    case("restarts-growing", {"kind": "CosineWithRestarts", "cycle": 3, "multiplier": 2, "minimum": 0.0}, 30,
         lambda o: lr.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2)),
    case("warmup-cosine", {"kind": "Cosine", "cycle": 8, "minimum": 1e-3, "warmup": 4, "warmup_start": 0.1}, 13,
         lambda o: warmup(o, 0.1, 4, lambda o: lr.CosineAnnealingLR(o, T_max=8, eta_min=1e-3))),
    case("warmup-restarts", {"kind": "CosineWithRestarts", "cycle": 4, "multiplier": 1, "minimum": 0.0, "warmup": 3, "warmup_start": 0.5}, 15,
         lambda o: warmup(o, 0.5, 3, lambda o: lr.CosineAnnealingWarmRestarts(o, T_0=4))),
    case("warmup-step", {"kind": "StepDecay", "every": 2, "factor": 0.5, "warmup": 3, "warmup_start": 0.25}, 12,
         lambda o: warmup(o, 0.25, 3, lambda o: lr.StepLR(o, step_size=2, gamma=0.5))),
    case("warmup-exponential", {"kind": "Exponential", "factor": 0.8, "warmup": 5, "warmup_start": 0.01}, 12,
         lambda o: warmup(o, 0.01, 5, lambda o: lr.ExponentialLR(o, gamma=0.8))),
    case("warmup-constant", {"kind": "Constant", "warmup": 4, "warmup_start": 0.2}, 7,
         lambda o: warmup(o, 0.2, 4, lambda o: lr.ConstantLR(o, factor=1.0, total_iters=0))),
    case("plateau", {"kind": "ReduceOnPlateau", "factor": 0.5, "patience": 2, "cooldown": 1, "minimum": 1e-2, "threshold": 1e-4},
         len(plateau_losses),
         lambda o: lr.ReduceLROnPlateau(o, factor=0.5, patience=2, cooldown=1, min_lr=1e-2, threshold=1e-4),
         plateau_losses),
    case("plateau-patience0", {"kind": "ReduceOnPlateau", "factor": 0.3, "patience": 0, "cooldown": 0, "minimum": 0.0, "threshold": 1e-4},
         len(plateau_losses),
         lambda o: lr.ReduceLROnPlateau(o, factor=0.3, patience=0),
         plateau_losses),
]

# Warm-up, then the plateau watch: LinearLR for the first epochs (their losses are not watched), ReduceLROnPlateau after.
o = optimizer()
linear = lr.LinearLR(o, start_factor=0.2, total_iters=3)
plateau = lr.ReduceLROnPlateau(o, factor=0.5, patience=1, cooldown=0, min_lr=0.0, threshold=1e-4)
warm = []
for epoch, loss in enumerate(plateau_losses):
    warm.append(o.param_groups[0]["lr"])
    o.step()
    if epoch < 3:
        linear.step()
    else:
        plateau.step(loss)
cases.append({"name": "warmup-plateau", "base_rate": BASE,
              "schedule": {"kind": "ReduceOnPlateau", "factor": 0.5, "patience": 1, "cooldown": 0, "minimum": 0.0, "threshold": 1e-4,
                           "warmup": 3, "warmup_start": 0.2},
              "losses": plateau_losses, "rates": warm})

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "schedules.json"), "w") as f:
    json.dump({"version": 1, "torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print("wrote", len(cases), "cases to", OUT)
