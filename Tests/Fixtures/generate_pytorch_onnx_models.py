#!/usr/bin/python3
# Generates the ONNX import fixtures: Tests/Fixtures/pytorch-onnx/<name>.onnx and <name>.json.
# Fixture format version 1. Run with Debian's python3-torch (1.13) and python3-onnx (1.12):
#     /usr/bin/python3 Tests/Fixtures/generate_pytorch_onnx_models.py
# Each model is a small PyTorch module with random non-symmetric weights (every entry different, so a swapped gate or a
# transposed matrix changes the outputs), exported with torch.onnx.export at opset 14 with dynamic batch and sequence
# axes, as a PyTorch user would export it: nn.Embedding (Gather) or float features -> nn.GRU / nn.LSTM / nn.RNN (1-2
# layers, uni- and bidirectional, batch_first or not) -> h_n or y read out by indexing, slicing, transposing,
# reshaping or pooling -> nn.Linear (Gemm, or MatMul + Add over steps) -> sigmoid / softmax / log_softmax / nothing.
# The JSON beside each model holds two input cases (batch 3 x 5 steps, and batch 1 x 1 step) with what PyTorch itself
# computes for them: the independent oracle the imported model must reproduce.
# torch.onnx.export writes the recurrent weights in ONNX gate order (GRU z, r, h; LSTM i, o, f, c; PyTorch keeps
# r, z, n and i, f, g, o): the import tests matching these outputs are what shows it, nothing here reorders.
# The refuse_*.onnx models are graphs the importer must refuse; they have no JSON.
import json
import os

import onnx
import torch

torch.manual_seed(20261207)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch-onnx")
VOCABULARY, EMBEDDING = 13, 5


def randomize(module):
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-0.6, 0.6)
    return module.eval()


def flat(t):
    return [float("%.9g" % v) for v in t.detach().contiguous().view(-1).tolist()]


class TokenModel(torch.nn.Module):
    """Embedding -> recurrent layers -> read-out -> Linear -> activation."""

    def __init__(self, cell, hidden, outputs, layers=1, bidirectional=False, batch_first=False, readout="h_last",
                 activation=None, head_bias=True, dense_width=0, nonlinearity="tanh"):
        super().__init__()
        self.embedding = None if dense_width else torch.nn.Embedding(VOCABULARY, EMBEDDING)
        kwargs = dict(num_layers=layers, bidirectional=bidirectional, batch_first=batch_first)
        if cell == "RNN":
            kwargs["nonlinearity"] = nonlinearity
        self.rnn = getattr(torch.nn, cell)(dense_width or EMBEDDING, hidden, **kwargs)
        directions = 2 if bidirectional else 1
        self.head = torch.nn.Linear(directions * hidden, outputs, bias=head_bias)
        self.cell, self.bidirectional, self.batch_first = cell, bidirectional, batch_first
        self.readout, self.activation = readout, activation

    def forward(self, x):
        e = self.embedding(x) if self.embedding is not None else x
        y, state = self.rnn(e)
        h = state[0] if self.cell == "LSTM" else state
        time_axis = 1 if self.batch_first else 0
        if self.readout == "h_last":                       # Gather on h_n
            r = h[-1]
        elif self.readout == "h_last_two":                 # the last layer's two directions
            r = torch.cat([h[-2], h[-1]], dim=1)
        elif self.readout == "h_slice":                    # Slice + Squeeze on h_n
            r = h[-1:].squeeze(0)
        elif self.readout == "h_transpose_reshape":        # [D, B, H] -> [B, D*H] through Shape
            r = h.transpose(0, 1).reshape(h.shape[1], -1)
        elif self.readout == "y_last":                     # the last step of y
            r = y[:, -1, :] if self.batch_first else y[-1]
        elif self.readout == "y_last_slice":               # Slice [-1:] on the time axis, then Flatten
            r = torch.flatten(y[:, -1:, :], 1)
        elif self.readout == "y_mean":
            r = y.mean(dim=time_axis)
        elif self.readout == "y_max":
            r = torch.max(y, dim=time_axis).values
        elif self.readout == "c_last":
            r = state[1][-1]
        else:                                              # every step
            r = y
        z = self.head(r)
        if self.activation == "sigmoid":
            return torch.sigmoid(z)
        if self.activation == "softmax":
            return torch.softmax(z, dim=-1)
        if self.activation == "log_softmax":
            return torch.log_softmax(z, dim=-1)
        return z


def inputs_for(model, batch, steps, dense_width):
    shape = (batch, steps) if model.batch_first else (steps, batch)
    if dense_width:
        return torch.randn(*shape, dense_width)
    return torch.randint(0, VOCABULARY, shape)


def export(name, model, dense_width=0, json_cases=True):
    model = randomize(model)
    input_name = "features" if dense_width else "tokens"
    batch_axis, time_axis = (0, 1) if model.batch_first else (1, 0)
    example = inputs_for(model, 3, 5, dense_width)
    with torch.no_grad():
        per_step = model(example).dim() == 3
    output_axes = {0: "batch"}
    if per_step:
        output_axes = {batch_axis: "batch", time_axis: "sequence"}
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model, (example,), path, opset_version=14, input_names=[input_name], output_names=["output"],
                      dynamic_axes={input_name: {batch_axis: "batch", time_axis: "sequence"}, "output": output_axes})
    onnx.checker.check_model(onnx.load(path), full_check=True)
    if not json_cases:
        return
    cases = []
    for batch, steps in [(3, 5), (1, 1)]:
        x = inputs_for(model, batch, steps, dense_width)
        with torch.no_grad():
            y = model(x)
        cases.append(dict(input=flat(x) if dense_width else [int(v) for v in x.view(-1).tolist()],
                          input_shape=list(x.shape), output=flat(y), output_shape=list(y.shape)))
    layout = "BT" if model.batch_first else "TB"
    fixture = dict(version=1, name=name, torch=torch.__version__, onnx=onnx.__version__, input_name=input_name,
                   input_layout=layout + ("D" if dense_width else ""),
                   output_layout=(layout + "K") if per_step else "BK", activation=model.activation or "none",
                   cases=cases)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(fixture, f, separators=(",", ":"))


class ConvModel(torch.nn.Module):
    """A convolution before the recurrent layer: not a graph MlNetRnn can represent."""

    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(VOCABULARY, EMBEDDING)
        self.conv = torch.nn.Conv1d(EMBEDDING, EMBEDDING, 3, padding=1)
        self.rnn = torch.nn.GRU(EMBEDDING, 7, batch_first=True)
        self.head = torch.nn.Linear(7, 1)
        self.batch_first = True

    def forward(self, x):
        e = self.conv(self.embedding(x).transpose(1, 2)).transpose(1, 2)
        _, h = self.rnn(e)
        return torch.sigmoid(self.head(h[-1]))


class LearnedStateModel(torch.nn.Module):
    """A learned initial state: the recurrent node's initial_h is not zero."""

    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(VOCABULARY, EMBEDDING)
        self.rnn = torch.nn.GRU(EMBEDDING, 7, batch_first=True)
        self.h0 = torch.nn.Parameter(torch.zeros(1, 1, 7))
        self.head = torch.nn.Linear(7, 1)
        self.batch_first = True

    def forward(self, x):
        _, h = self.rnn(self.embedding(x), self.h0.expand(1, x.shape[0], 7).contiguous())
        return torch.sigmoid(self.head(h[-1]))


class TwoSizesModel(torch.nn.Module):
    """Two stacked recurrent modules of different hidden sizes."""

    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(VOCABULARY, EMBEDDING)
        self.first = torch.nn.GRU(EMBEDDING, 7)
        self.second = torch.nn.GRU(7, 6)
        self.head = torch.nn.Linear(6, 3)
        self.batch_first = False

    def forward(self, x):
        y, _ = self.first(self.embedding(x))
        _, h = self.second(y)
        return torch.softmax(self.head(h[-1]), dim=-1)


class MlpHeadModel(torch.nn.Module):
    """Two linear layers with a ReLU between them after the recurrent layer."""

    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(VOCABULARY, EMBEDDING)
        self.rnn = torch.nn.LSTM(EMBEDDING, 6)
        self.hidden = torch.nn.Linear(6, 4)
        self.head = torch.nn.Linear(4, 3)
        self.batch_first = False

    def forward(self, x):
        _, (h, _) = self.rnn(self.embedding(x))
        return torch.softmax(self.head(torch.relu(self.hidden(h[-1]))), dim=-1)


os.makedirs(OUT, exist_ok=True)
for stale in os.listdir(OUT):
    os.remove(os.path.join(OUT, stale))

export("gru_tokens_binary", TokenModel("GRU", 7, 1, batch_first=True, activation="sigmoid"))
export("lstm_2layers_bidirectional_multiclass", TokenModel("LSTM", 6, 3, layers=2, bidirectional=True, readout="h_last_two", activation="softmax"))
export("rnn_tanh_last_step_regression", TokenModel("RNN", 7, 2, batch_first=True, readout="y_last", head_bias=False))
export("rnn_relu_2layers_log_softmax", TokenModel("RNN", 7, 3, layers=2, readout="h_slice", activation="log_softmax", nonlinearity="relu"))
export("gru_bidirectional_reshape_binary", TokenModel("GRU", 6, 1, bidirectional=True, batch_first=True, readout="h_transpose_reshape", activation="sigmoid"))
export("gru_2layers_bidirectional_mean_multiclass", TokenModel("GRU", 5, 3, layers=2, bidirectional=True, batch_first=True, readout="y_mean", activation="softmax"))
export("lstm_bidirectional_max_binary", TokenModel("LSTM", 6, 1, bidirectional=True, readout="y_max", activation="sigmoid"))
export("lstm_tagging", TokenModel("LSTM", 6, 4, batch_first=True, readout="y", activation="softmax"))
export("gru_2layers_language_model", TokenModel("GRU", 7, VOCABULARY, layers=2, readout="y"))
export("lstm_dense_2layers_regression", TokenModel("LSTM", 6, 2, layers=2, batch_first=True, dense_width=4), dense_width=4)
export("rnn_dense_regression_steps", TokenModel("RNN", 7, 1, readout="y", dense_width=3), dense_width=3)

export("refuse_conv", ConvModel(), json_cases=False)
export("refuse_learned_initial_state", LearnedStateModel(), json_cases=False)
export("refuse_bidirectional_last_step", TokenModel("GRU", 6, 3, bidirectional=True, batch_first=True, readout="y_last", activation="softmax"), json_cases=False)
export("refuse_cell_state", TokenModel("LSTM", 6, 3, readout="c_last", activation="softmax"), json_cases=False)
export("refuse_two_hidden_sizes", TwoSizesModel(), json_cases=False)
export("refuse_mlp_head", MlpHeadModel(), json_cases=False)
export("refuse_multilabel_sigmoid", TokenModel("GRU", 7, 3, activation="sigmoid"), json_cases=False)
# Added after the others so that their bytes stay as they were.
export("gru_2layers_last_step_slice_multiclass", TokenModel("GRU", 7, 3, layers=2, batch_first=True, readout="y_last_slice", activation="softmax"))
print("wrote", sorted(os.listdir(OUT)))
