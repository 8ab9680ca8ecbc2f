#!/usr/bin/python3
# Generates the PyTorch reference fixtures for truncated BPTT over batches of sequences:
# Tests/Fixtures/pytorch-tbptt/*.json. Fixture format version 1. Run with Debian's python3-torch (1.13):
#   /usr/bin/python3 Tests/Fixtures/generate_pytorch_tbptt_fixtures.py
# Each fixture is a whole network (dense features or an embedding -> 1-2 GRU/LSTM/RNN layers -> read-out -> Linear
# head -> loss) with random non-symmetric weights and a ragged batch, cut into windows of W steps. Every window runs
# from the state (and running pool) the previous window ended with, detached, and its loss covers its steps'
# targets (per-step tasks) or the sequences whose last step lies in it (per-sequence tasks), averaged over them as
# MlNetRnn's losses average. Recorded per window, with the weights held fixed: the loss and the gradient of every
# parameter (zeroed between windows). The recurrence is unrolled with torch.nn.GRUCell/LSTMCell/RNNCell and a state
# frozen past each sequence's end; weights and gradients are written in MlNetRnn's parameter layout (ONNX gate order).
import json
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch-tbptt")
# For each ONNX gate in order, the index of PyTorch's gate block: GRU (r, z, n) -> (z, r, h), LSTM (i, f, g, o) -> (i, o, f, c).
ORDER = {"Gru": [1, 0, 2], "Lstm": [0, 3, 1, 2], "Rnn": [0]}
CELLS = {"Gru": torch.nn.GRUCell, "Lstm": torch.nn.LSTMCell, "Rnn": torch.nn.RNNCell}


def onnx_gates(t, cell, hidden):
    return torch.cat([t[g * hidden:(g + 1) * hidden] for g in ORDER[cell]], dim=0)


def flat(t):
    return [float("%.9g" % v) for v in t.detach().contiguous().view(-1).tolist()]


def make(name, cell, task, read_out, layers, hidden, lengths, steps, window, outputs, features=0, vocabulary=0, embedding=0, seed=1):
    torch.manual_seed(seed)
    batch = len(lengths)
    per_step = read_out == "AllSteps"
    tokens = vocabulary > 0
    embed = torch.nn.Embedding(vocabulary, embedding) if tokens else None
    widths = [embedding if tokens else features] + [hidden] * (layers - 1)
    cells = [CELLS[cell](widths[l], hidden) for l in range(layers)]
    head = torch.nn.Linear(hidden, outputs)
    modules = ([embed] if tokens else []) + cells + [head]
    with torch.no_grad():
        for m in modules:
            for p in m.parameters():
                p.uniform_(-0.6, 0.6)
    if tokens:
        x_ids = torch.randint(0, vocabulary, (steps, batch))
    else:
        x = torch.randn(steps, batch, features)
    valid = torch.tensor([[t < l for l in lengths] for t in range(steps)])              # [T, B]
    if task in ("BinaryClassification", "MulticlassClassification", "Tagging"):
        classes = 2 if task == "BinaryClassification" else outputs
        targets = torch.randint(0, classes, (steps, batch) if per_step else (batch,))
        if per_step:
            targets = torch.where(valid, targets, torch.full_like(targets, -1))
    else:
        targets = torch.randn((steps, batch, outputs) if per_step else (batch, outputs))
        if per_step:
            targets = targets * valid.unsqueeze(2)

    def loss_of(out, rows, target_rows):
        # out [N, K] of the rows that count, their targets; the mean as MlNetRnn's losses take it.
        if task == "BinaryClassification":
            return torch.nn.functional.binary_cross_entropy_with_logits(out[:, 0], target_rows.float(), reduction="sum"), rows
        if task in ("MulticlassClassification", "Tagging"):
            return torch.nn.functional.cross_entropy(out, target_rows, reduction="sum"), rows
        return ((out - target_rows) ** 2).sum(), rows * outputs

    state = [torch.zeros(batch, hidden) for _ in range(layers)]
    cstate = [torch.zeros(batch, hidden) for _ in range(layers)]
    pool = torch.zeros(batch, hidden)
    pooled = torch.zeros(batch, dtype=torch.long)
    records = []
    for w in range((steps + window - 1) // window):
        start, end = w * window, min(steps, (w + 1) * window)
        for m in modules:
            m.zero_grad()
        h = [s.detach() for s in state]
        c = [s.detach() for s in cstate]
        top = []
        for t in range(start, end):
            inp = embed(x_ids[t]) if tokens else x[t]
            m = valid[t].unsqueeze(1)
            for l in range(layers):
                if cell == "Lstm":
                    h_new, c_new = cells[l](inp, (h[l], c[l]))
                    c[l] = torch.where(m, c_new, c[l])
                else:
                    h_new = cells[l](inp, h[l])
                h[l] = torch.where(m, h_new, h[l])
                inp = torch.where(m, h_new, torch.zeros_like(h_new))      # Y: zero past the sequence's end
            top.append(inp)
        y = torch.stack(top)                                               # [Tw, B, H]
        wvalid = valid[start:end]                                          # [Tw, B]
        now = wvalid.sum(0)                                                # [B] steps of each sequence here
        ends = torch.tensor([l > 0 and (l - 1) // window == w for l in lengths])
        if per_step:
            out = head(y[wvalid])
            total, weight = loss_of(out, int(wvalid.sum()), targets[start:end][wvalid])
        else:
            if read_out == "LastState":
                r = h[-1]
            elif read_out == "MaxPool":
                masked = torch.where(wvalid.unsqueeze(2), y, torch.full_like(y, float("-inf")))
                wmax = masked.max(0).values
                before = (pooled > 0).unsqueeze(1)
                carried = pool.detach()
                take = before & ((now == 0).unsqueeze(1) | (carried > wmax))   # the carried value wins only when larger
                r = torch.where(take, carried, wmax)
            else:
                wsum = (y * wvalid.unsqueeze(2)).sum(0)
                r = (pool.detach() * pooled.unsqueeze(1) + wsum) / (pooled + now).unsqueeze(1)
            out = head(r)
            total, weight = loss_of(out[ends], int(ends.sum()), targets[ends])
            pool = r.detach()
            pooled = pooled + now
        record = {"window": w, "loss_sum": float(total), "weight": weight, "gradients": None}
        if weight > 0:
            (total / weight).backward()
            g = {}
            if tokens:
                g["embedding"] = flat(embed.weight.grad)
            for l, cl in enumerate(cells):
                g[f"rnn.{l}.W"] = flat(onnx_gates(cl.weight_ih.grad, cell, hidden))
                g[f"rnn.{l}.R"] = flat(onnx_gates(cl.weight_hh.grad, cell, hidden))
                g[f"rnn.{l}.B"] = flat(onnx_gates(cl.bias_ih.grad, cell, hidden)) + flat(onnx_gates(cl.bias_hh.grad, cell, hidden))
            g["head.W"] = flat(head.weight.grad)
            g["head.b"] = flat(head.bias.grad)
            record["gradients"] = g
        records.append(record)
        state = [s.detach() for s in h]
        cstate = [s.detach() for s in c]

    parameters = {}
    if tokens:
        parameters["embedding"] = flat(embed.weight)
    for l, cl in enumerate(cells):
        parameters[f"rnn.{l}.W"] = flat(onnx_gates(cl.weight_ih, cell, hidden))
        parameters[f"rnn.{l}.R"] = flat(onnx_gates(cl.weight_hh, cell, hidden))
        parameters[f"rnn.{l}.B"] = flat(onnx_gates(cl.bias_ih, cell, hidden)) + flat(onnx_gates(cl.bias_hh, cell, hidden))
    parameters["head.W"] = flat(head.weight)
    parameters["head.b"] = flat(head.bias)
    fixture = dict(version=1, name=name, torch=torch.__version__, cell=cell, task=task, read_out=read_out, layers=layers,
                   hidden_size=hidden, features=features, vocabulary=vocabulary, embedding=embedding, outputs=outputs,
                   seq_length=steps, batch=batch, lengths=lengths, window=window,
                   tokens=[int(v) for v in x_ids.view(-1).tolist()] if tokens else None,
                   features_values=None if tokens else flat(x),
                   class_targets=[int(v) for v in targets.view(-1).tolist()] if targets.dtype == torch.long else None,
                   value_targets=flat(targets) if targets.dtype != torch.long else None,
                   parameters=parameters, windows=records)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(fixture, f, separators=(",", ":"))


os.makedirs(OUT, exist_ok=True)
make("gru_last_binary", "Gru", "BinaryClassification", "LastState", 1, 5, [7, 2, 5, 3, 6], 7, 3, 1, features=3, seed=1)
make("lstm_2layers_mean_multiclass", "Lstm", "MulticlassClassification", "MeanPool", 2, 4, [6, 1, 4, 6], 6, 2, 3, features=4, seed=2)
make("gru_2layers_max_regression", "Gru", "Regression", "MaxPool", 2, 6, [5, 3, 2, 5], 5, 2, 2, features=2, seed=3)
make("lstm_tokens_tagging", "Lstm", "Tagging", "AllSteps", 1, 5, [7, 4, 1, 6], 7, 3, 4, vocabulary=9, embedding=3, seed=4)
make("rnn_2layers_steps_regression", "Rnn", "Regression", "AllSteps", 2, 5, [5, 5, 2], 5, 2, 2, features=3, seed=5)
make("gru_last_multiclass_window1", "Gru", "MulticlassClassification", "LastState", 1, 4, [4, 2, 3], 4, 1, 3, features=2, seed=6)
print("wrote", sorted(os.listdir(OUT)))
