#!/usr/bin/python3
"""PyTorch (1.13.1 CPU, Debian build) training peers for W1-W3, W5-W7 and the sweep (docs/workloads.md).

usage: OMP_NUM_THREADS=N OPENBLAS_NUM_THREADS=N /usr/bin/python3 torch_train.py {w1|w2|w3|w5|w6|w7|sweep} N
           [--batch-first] [--warmup 5] [--steps 30] [--seconds S] [--denormals] [--seq-length T] [--hidden H]
--seconds S: stop timing once S seconds of timed steps have passed, after at least 5 steps (n= says how many).
Prints: <workload> pytorch-<ver> <threads> <metric> <median value>
Layout: seq-first (T,B,F) by default (no transposes inside PyTorch's RNN); --batch-first for comparison.
W7: one timed step is a whole sequence of --seq-length steps (default 2000) in truncated-BPTT windows of 200, each
window its own optimizer step; printed as w7 (T 2000) or w7-t<T>. sweep: W1's model with GRU(--hidden) over
--seq-length steps, printed as sweep-h<H>-t<T>, tokens/s.
(From shared/bench/peers/torch_train.py; W6, W7 and the sweep added in this repository.)
"""
import argparse, os, statistics, time
import torch, torch.nn as nn, torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument('workload', choices=['w1', 'w2', 'w3', 'w5', 'w6', 'w7', 'sweep'])
ap.add_argument('threads', type=int)
ap.add_argument('--batch-first', action='store_true')
ap.add_argument('--warmup', type=int, default=5)
ap.add_argument('--steps', type=int, default=30)
ap.add_argument('--seconds', type=float, default=0, help='stop timing after this many seconds (at least 5 steps)')
ap.add_argument('--seq-length', type=int, default=None, help='W7: sequence length (default 2000); sweep: T (default 200)')
ap.add_argument('--hidden', type=int, default=128, help='sweep: GRU hidden size')
ap.add_argument('--denormals', action='store_true', help='keep denormal arithmetic (PyTorch default); by default flushed to zero')
a = ap.parse_args()
torch.set_num_threads(int(os.environ.get("PEERS_TORCH_THREADS", a.threads)))  # override for variants
# W1's gradients through 200 steps decay into the denormal range: ~17x slower on Intel cores unless flushed
# (13.9 vs 231.5 seq/s for W1 at 1 thread on an Intel Xeon). A user who knows sets this; --denormals shows the default.
ftz = not a.denormals and torch.set_flush_denormal(True)
torch.manual_seed(0)
bf = a.batch_first

class SpamGRU(nn.Module):          # W1
    def __init__(s):
        super().__init__()
        s.emb = nn.Embedding(20000, 64); s.rnn = nn.GRU(64, 128, batch_first=bf); s.fc = nn.Linear(128, 2)
    def forward(s, ids):
        _, h = s.rnn(s.emb(ids)); return s.fc(h[-1])

class FmnistLSTM(nn.Module):       # W2
    def __init__(s):
        super().__init__()
        s.rnn = nn.LSTM(28, 128, batch_first=bf); s.fc = nn.Linear(128, 10)
    def forward(s, x):
        _, (h, _) = s.rnn(x); return s.fc(h[-1])

class BiLstmText(nn.Module):       # W6: 2-layer bidirectional LSTM(256), max-pool over time
    def __init__(s):
        super().__init__()
        s.emb = nn.Embedding(20000, 128); s.rnn = nn.LSTM(128, 256, num_layers=2, bidirectional=True, batch_first=bf)
        s.fc = nn.Linear(512, 2)
    def forward(s, ids):
        y, _ = s.rnn(s.emb(ids)); return s.fc(y.max(dim=1 if bf else 0).values)

class SweepGRU(nn.Module):         # W1 with GRU(64 -> H) (W7 too, with H 128)
    def __init__(s, H):
        super().__init__()
        s.emb = nn.Embedding(20000, 64); s.rnn = nn.GRU(64, H, batch_first=bf); s.fc = nn.Linear(H, 2)
    def forward(s, ids, h0=None):
        _, h = s.rnn(s.emb(ids), h0); return s.fc(h[-1]), h

class CharGRU(nn.Module):          # W3
    def __init__(s):
        super().__init__()
        s.rnn = nn.GRU(28, 256, batch_first=bf); s.fc = nn.Linear(256, 28)
    def forward(s, x):
        y, _ = s.rnn(x); return s.fc(y)          # logits at every step

def shape(B, T, *rest):
    return (B, T, *rest) if bf else (T, B, *rest)

NB = 4   # distinct pre-generated batches, cycled
if a.workload == 'w1':
    B, T = 64, 200
    model = SpamGRU(); opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    data = [(torch.randint(0, 20000, shape(B, T)), torch.randint(0, 2, (B,))) for _ in range(NB)]
    unit, per_step = 'train_seq_per_s', B
    def step(x, y):
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward(); opt.step()
elif a.workload == 'w5':          # W1 with ragged lengths 20..200 (seed 7), packed so padding costs nothing
    B, T = 64, 200
    model = SpamGRU(); opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(7)
    data = []
    for _ in range(NB):
        lens = torch.randint(20, T + 1, (B,), generator=g)
        data.append(((torch.randint(0, 20000, shape(B, T)), lens), torch.randint(0, 2, (B,))))
    unit, per_step = 'train_seq_per_s', B
    def fwd(ids, lens):
        packed = nn.utils.rnn.pack_padded_sequence(model.emb(ids), lens, batch_first=bf, enforce_sorted=False)
        _, h = model.rnn(packed); return model.fc(h[-1])
    def step(x, y):
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(fwd(*x), y).backward(); opt.step()
elif a.workload == 'w6':
    B, T = 32, 100
    model = BiLstmText(); opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    data = [(torch.randint(0, 20000, shape(B, T)), torch.randint(0, 2, (B,))) for _ in range(NB)]
    unit, per_step = 'train_seq_per_s', B
    def step(x, y):
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward(); opt.step()
elif a.workload == 'w7':
    # Truncated BPTT: windows of 200 steps, the state carried (detached) from one window into the next, the loss of a
    # window = cross-entropy of the head on the window's last hidden state against the sequence's label; one Adam
    # step per window. A timed step is one whole sequence.
    B, T, WIN = 16, a.seq_length or 2000, 200
    assert T % WIN == 0, 'W7: --seq-length must be a multiple of 200'
    model = SweepGRU(128); opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    data = [(torch.randint(0, 20000, shape(B, T)), torch.randint(0, 2, (B,))) for _ in range(NB)]
    unit, per_step = 'train_tokens_per_s', B * T
    def step(x, y):
        h = None
        for w0 in range(0, T, WIN):
            opt.zero_grad(set_to_none=True)
            xw = x[:, w0:w0 + WIN] if bf else x[w0:w0 + WIN]
            logits, h = model(xw, h)
            F.cross_entropy(logits, y).backward(); opt.step()
            h = h.detach()
elif a.workload == 'sweep':
    B, T = 64, a.seq_length or 200
    model = SweepGRU(a.hidden); opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    data = [(torch.randint(0, 20000, shape(B, T)), torch.randint(0, 2, (B,))) for _ in range(NB)]
    unit, per_step = 'train_tokens_per_s', B * T
    def step(x, y):
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x)[0], y).backward(); opt.step()
elif a.workload == 'w2':
    B, T = 100, 28
    model = FmnistLSTM(); opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    data = [(torch.rand(shape(B, T, 28)), torch.randint(0, 10, (B,))) for _ in range(NB)]
    unit, per_step = 'train_samples_per_s', B
    def step(x, y):
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward(); opt.step()
else:
    B, T, V = 32, 35, 28
    model = CharGRU(); opt = torch.optim.SGD(model.parameters(), lr=1.0)
    data = []
    for _ in range(NB):
        tok = torch.randint(0, V, shape(B, T))
        data.append((F.one_hot(tok, V).float(), torch.randint(0, V, shape(B, T))))
    unit, per_step = 'train_tokens_per_s', B * T
    def step(x, y):
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x).reshape(-1, V), y.reshape(-1)).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0); opt.step()

model.train()
for i in range(a.warmup):
    step(*data[i % NB])
ts = []
for i in range(a.steps):
    if a.seconds > 0 and i >= 5 and sum(ts) >= a.seconds: break
    x, y = data[i % NB]
    t0 = time.perf_counter(); step(x, y); ts.append(time.perf_counter() - t0)
med = statistics.median(ts)
q = statistics.quantiles(ts, n=4)
lay = 'bf' if bf else 'sf'
label = os.environ.get('PEERS_LABEL', '')   # suffix for tuned variants, e.g. '-blas1'
name = a.workload
if a.workload == 'w7' and T != 2000: name = f'w7-t{T}'
if a.workload == 'sweep': name = f'sweep-h{a.hidden}-t{T}'
print(f"{name} pytorch-{torch.__version__.split('+')[0]}{'-bf' if bf else ''}{label} {a.threads} {unit} {per_step/med:.1f}"
      f"  # step_ms med={med*1e3:.2f} q1={q[0]*1e3:.2f} q3={q[2]*1e3:.2f} min={min(ts)*1e3:.2f} max={max(ts)*1e3:.2f} n={len(ts)} torch_threads={torch.get_num_threads()} ftz={int(bool(ftz))}")
