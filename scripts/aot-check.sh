#!/usr/bin/env bash
# NativeAOT check (part of scripts/test.sh): publishes the mlnetrnn CLI and the spam demo compiled ahead of time
# (trimmed, no JIT, no reflection-emitted code) and runs them end to end: ONNX's GRU/LSTM/RNN node tests through the
# native kernel; a short training benchmark; the demo's train -> save -> export -> ONNX Runtime path for one epoch,
# which must agree with the native model on every held-out mail; and `predict` on both of its files (the .mlnr with
# the native kernel, the .onnx in ONNX Runtime), which must agree with each other. The library is meant to need no
# reflection (its JSON is source-generated); this proves it in the compiled programs. The code is compiled for the
# portable x86-64 baseline here, the default of a NativeAOT publish.
# Skipped, and it says so, where the NativeAOT compiler package cannot be restored.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$PWD/artifacts/aot-check
rm -rf "$out"
mkdir -p "$out"
if ! timeout 300 dotnet restore Cli/MlNetRnn.Cli.csproj -r linux-x64 -p:PublishAot=true >"$out/restore.log" 2>&1; then
  echo "NativeAOT check SKIPPED: the NativeAOT compiler package (runtime.linux-x64.Microsoft.DotNet.ILCompiler) did not"
  echo "restore from the configured NuGet feeds (artifacts/aot-check/restore.log). Everything else was tested."
  exit 0
fi
publish() {   # project, output folder
  if ! dotnet publish "$1" -c Release -r linux-x64 -p:PublishAot=true -o "$2" --nologo --verbosity quiet >"$2.log" 2>&1; then
    cat "$2.log" >&2
    echo "NativeAOT check FAILED: could not publish $1 (log above)" >&2
    exit 1
  fi
  # Trim/AOT warnings from our own code are errors here; Google.Protobuf's own notice (IL2104) is not ours.
  if grep -E "warning (IL[0-9]+)" "$2.log" | grep -v "IL2104: Assembly 'Google.Protobuf'" | grep -q .; then
    grep -E "warning IL[0-9]+" "$2.log" | sort -u >&2
    echo "NativeAOT check FAILED: trim/AOT warnings in $1" >&2
    exit 1
  fi
}
fail() { echo "NativeAOT check FAILED: $*" >&2; exit 1; }
publish Cli/MlNetRnn.Cli.csproj "$out/cli"
publish Examples/Spam/MlNetRnn.Examples.Spam.csproj "$out/spam"
cli=$out/cli/mlnetrnn

nodes=/usr/share/libonnx-testdata/data/node
"$cli" onnx-node-test "$nodes"/test_gru_* "$nodes"/test_lstm_* "$nodes"/test_rnn_* "$nodes"/test_simple_rnn_* >"$out/node-tests.txt" \
  || { cat "$out/node-tests.txt" >&2; fail "ONNX node tests"; }
echo "NativeAOT: ONNX node tests: $(grep -c '^PASS' "$out/node-tests.txt") passed"

"$cli" bench --workload w1 --threads 2 --steps 20 --warmup-seconds 0 >"$out/bench.txt" || fail "bench w1"
grep -q '^w1 mlnetrnn-aot 2 train_seq_per_s' "$out/bench.txt" || fail "bench w1 printed no mlnetrnn-aot line: $(cat "$out/bench.txt")"
echo "NativeAOT: $(cut -d'#' -f1 "$out/bench.txt")"

# One epoch does not reach the demo's accuracy target (exit code 1 then); what is checked is that every stage ran.
set +e
"$out/spam/spam-demo" --epochs 1 --output "$out/demo" >"$out/demo.txt" 2>&1
demo_rc=$?
set -e
grep -Eq 'same label as the native model for ([0-9]+)/\1 mails' "$out/demo.txt" \
  || { cat "$out/demo.txt" >&2; fail "the spam demo (exit code $demo_rc) did not finish with ONNX Runtime agreeing with the native model"; }
echo "NativeAOT: spam demo, 1 epoch: $(grep -E '^ONNX Runtime' "$out/demo.txt" | sed 's/ (TP.*;/;/')"

printf 'text\n"Congratulations, you won a free prize: click here now"\n"Minutes of the meeting on the release schedule are attached"\n' >"$out/mails.csv"
"$cli" predict --model "$out/demo/spam.mlnr" --input "$out/mails.csv" --output "$out/predict-native.jsonl" || fail "predict with the .mlnr model"
"$cli" predict --model "$out/demo/spam.onnx" --input "$out/mails.csv" --output "$out/predict-onnx.jsonl" || fail "predict with the ONNX model"
/usr/bin/python3 - "$out/predict-native.jsonl" "$out/predict-onnx.jsonl" <<'PY' || fail "predict: the .mlnr and the .onnx disagree"
import json, sys
native = [json.loads(l) for l in open(sys.argv[1])]
onnx = [json.loads(l) for l in open(sys.argv[2])]
assert len(native) == len(onnx) == 2, (native, onnx)
for a, b in zip(native, onnx):
    assert a['label'] == b['label'], (a, b)
    assert abs(a['probabilities']['spam'] - b['probabilities']['spam']) < 1e-5, (a, b)
print('NativeAOT: predict, native kernel and ONNX Runtime agree: ' + ', '.join(f"{a['label']} {a['probabilities']['spam']:.4f}" for a in native))
PY
# train -> the model, its history (CSV) and its training curve (PNG: ScottPlot and SkiaSharp compiled ahead of time too).
{ echo "text,label"; for _ in 1 2 3 4 5 6 7 8 9 10; do echo "free prize money now,spam"; echo "meeting agenda for monday,ham"; done; } >"$out/train.csv"
"$cli" train --data "$out/train.csv" --task binary --model "$out/train/m.mlnr" --epochs 2 --hidden-size 8 --min-count 1 \
  --validation-fraction 0.2 --threads 1 --quiet >"$out/train.txt" 2>&1 || { cat "$out/train.txt" >&2; fail "train"; }
[ "$(wc -l <"$out/train/m.history.csv")" -eq 3 ] && [ "$(stat -c %s "$out/train/m.history.png")" -gt 10000 ] \
  || fail "train did not write its history and training curve: $(ls -l "$out/train")"
echo "NativeAOT: train wrote the model, its history and its curve ($(stat -c %s "$out/train/m.history.png") bytes)"
echo "NativeAOT check passed."
