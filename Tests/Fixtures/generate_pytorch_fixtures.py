#!/usr/bin/python3
# Generates the PyTorch reference fixtures for the recurrent kernels: Tests/Fixtures/pytorch/*.json.
# Fixture format version 1. Run with Debian's python3-torch (1.13): /usr/bin/python3 Tests/Fixtures/generate_pytorch_fixtures.py
# Each fixture holds a stacked (optionally bidirectional) RNN/GRU/LSTM with random non-symmetric weights, random
# inputs and initial states, ragged lengths (run through pack_padded_sequence), random upstream gradients for the last
# layer's output and for every layer's final states, and what PyTorch computes: the last layer's output, every
# layer's final states, and every gradient. Weights and gradients are written in ONNX layout and gate order, so the
# C# test feeds them to the kernels directly.
import json
import os

import torch

torch.manual_seed(20261122)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch")

# Gate order: PyTorch stacks GRU gates as (r, z, n) and LSTM gates as (i, f, g, o); ONNX as GRU (z, r, h) and
# LSTM (i, o, f, c). ORDER[cell] lists, for each ONNX gate in order, the index of the PyTorch gate block.
# PyTorch's GRU computes n = tanh(W_in x + b_in + r * (W_hn h + b_hn)): ONNX linear_before_reset = 1, Rbh = b_hn.
ORDER = {"GRU": [1, 0, 2], "LSTM": [0, 3, 1, 2], "RNN": [0]}


def to_onnx_gates(t, cell, hidden):
    """Reorders the gate blocks of a [G*H, ...] or [G*H] tensor from PyTorch's order to ONNX's."""
    return torch.cat([t[g * hidden:(g + 1) * hidden] for g in ORDER[cell]], dim=0)


def flat(t):
    # 8 significant digits: ~1e-8 relative, far inside the tests' tolerances, and half the file size of full repr.
    return [float("%.8g" % v) for v in t.detach().contiguous().view(-1).tolist()]


def make(name, cell, input_size, hidden, layers, bidirectional, steps, lengths, nonlinearity="tanh"):
    batch = len(lengths)
    directions = 2 if bidirectional else 1
    kwargs = dict(input_size=input_size, hidden_size=hidden, num_layers=layers, bidirectional=bidirectional)
    if cell == "RNN":
        module = torch.nn.RNN(nonlinearity=nonlinearity, **kwargs)
    else:
        module = getattr(torch.nn, cell)(**kwargs)
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-0.6, 0.6)  # non-symmetric: every entry different, gate swaps are visible
    x = torch.randn(steps, batch, input_size, requires_grad=True)
    h0 = (0.5 * torch.randn(layers * directions, batch, hidden)).requires_grad_()
    c0 = (0.5 * torch.randn(layers * directions, batch, hidden)).requires_grad_() if cell == "LSTM" else None
    lengths_t = torch.tensor(lengths)
    packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths_t, enforce_sorted=False)
    if cell == "LSTM":
        out_packed, (h_n, c_n) = module(packed, (h0, c0))
    else:
        out_packed, h_n = module(packed, h0)
        c_n = None
    y, _ = torch.nn.utils.rnn.pad_packed_sequence(out_packed, total_length=steps)   # [T, B, D*H], zero past lengths
    g_y = torch.randn_like(y)
    g_h = torch.randn_like(h_n)
    loss = (y * g_y).sum() + (h_n * g_h).sum()
    if c_n is not None:
        g_c = torch.randn_like(c_n)
        loss = loss + (c_n * g_c).sum()
    loss.backward()

    layer_records = []
    for l in range(layers):
        w, r, b, dw, dr, db = [], [], [], [], [], []
        for d in range(directions):
            suffix = f"_l{l}" + ("_reverse" if d == 1 else "")
            w_ih = getattr(module, "weight_ih" + suffix)
            w_hh = getattr(module, "weight_hh" + suffix)
            b_ih = getattr(module, "bias_ih" + suffix)
            b_hh = getattr(module, "bias_hh" + suffix)
            w += flat(to_onnx_gates(w_ih, cell, hidden))
            r += flat(to_onnx_gates(w_hh, cell, hidden))
            b += flat(to_onnx_gates(b_ih, cell, hidden)) + flat(to_onnx_gates(b_hh, cell, hidden))
            dw += flat(to_onnx_gates(w_ih.grad, cell, hidden))
            dr += flat(to_onnx_gates(w_hh.grad, cell, hidden))
            db += flat(to_onnx_gates(b_ih.grad, cell, hidden)) + flat(to_onnx_gates(b_hh.grad, cell, hidden))
        rows = slice(l * directions, (l + 1) * directions)   # this layer's states: [D, B, H]
        record = dict(W=w, R=r, B=b, dW=dw, dR=dr, dB=db,
                      h0=flat(h0[rows]), dh0=flat(h0.grad[rows]), h_n=flat(h_n[rows]), dh_n=flat(g_h[rows]))
        if cell == "LSTM":
            record.update(c0=flat(c0[rows]), dc0=flat(c0.grad[rows]), c_n=flat(c_n[rows]), dc_n=flat(g_c[rows]))
        layer_records.append(record)

    fixture = dict(version=1, name=name, torch=torch.__version__, cell=cell, activation=nonlinearity,
                   input_size=input_size, hidden_size=hidden, layers=layers, bidirectional=bidirectional,
                   seq_length=steps, batch=batch, lengths=lengths,
                   X=flat(x), dX=flat(x.grad), Y=flat(y), dY=flat(g_y), layer=layer_records)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(fixture, f, separators=(",", ":"))


os.makedirs(OUT, exist_ok=True)
make("gru_forward_ragged", "GRU", 5, 7, 1, False, 6, [6, 3, 1, 5])
make("gru_2layers_bidirectional_ragged", "GRU", 5, 7, 2, True, 5, [5, 2, 4])
make("gru_batch1_step1", "GRU", 3, 11, 1, False, 1, [1])
make("lstm_forward_ragged", "LSTM", 5, 7, 1, False, 6, [4, 6, 2])
make("lstm_2layers_bidirectional_ragged", "LSTM", 3, 11, 2, True, 5, [3, 5, 1, 4])
make("lstm_batch1_step1_bidirectional", "LSTM", 5, 7, 1, True, 1, [1])
make("rnn_tanh_bidirectional_ragged", "RNN", 5, 7, 1, True, 6, [6, 1, 4])
make("rnn_relu_2layers", "RNN", 5, 7, 2, False, 5, [5, 5, 3], nonlinearity="relu")
print("wrote", sorted(os.listdir(OUT)))
