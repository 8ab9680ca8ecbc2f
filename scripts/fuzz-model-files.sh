#!/usr/bin/env bash
# Long fuzz campaign of every reader of the library and the CLI (the test run holds bounded slices of it:
# Tests/Integrity/ReaderFuzzTests.cs). Three families, each --cases cases:
#   model  the .mlnr loader (a path, a stream) and the checkpoint loader       (Tests/Integrity/Harness/FuzzCampaign.cs)
#   onnx   OnnxImporter on MlNetRnn's exports and on torch.onnx.export graphs, OnnxSequencePredictor.Load
#                                                                             (OnnxFuzzCampaign.cs, OnnxFileMutator.cs)
#   input  the CLI's CSV/TSV/JSON-lines/text readers (predict's and train's)  (InputFuzzCampaign.cs)
# Seeded and deterministic: case i of a seed is the same damaged file on every run, so a failure replays alone with
# --readers F --case i. Prints, per family, the cases per reader and per mutation by outcome (refused, identical, other
# valid model or data where nothing can tell, FAILED), the largest allocation of a read and the slowest case per
# reader; failing inputs go to --failures (default artifacts/fuzz-failures) as files with a .txt that says what was
# done and what happened.
#
#   scripts/fuzz-model-files.sh [--readers model,onnx,input] [--cases N] [--seed S] [--first I] [--case I]
#                               [--timeout SECONDS] [--failures DIR] [--verbose]
#
# Exits 1 when a case failed. 20,000 cases took 2 to 3.5 minutes per family on this 2-core machine (shared):
# model ~3 min, onnx ~5 min, input ~2.5 min (docs/reliability.md has the latest campaign's table).
set -euo pipefail
cd "$(dirname "$0")/.."
args=("$@")
if [[ " ${args[*]} " != *" --failures "* ]]; then
  args+=(--failures "$PWD/artifacts/fuzz-failures")
fi
if [[ " ${args[*]} " != *" --cases "* && " ${args[*]} " != *" --case "* ]]; then
  args+=(--cases 20000)
fi
dotnet build Tests/IntegrityTool/MlNetRnn.IntegrityTool.csproj -c Release --nologo --verbosity quiet >/dev/null
exec dotnet Tests/IntegrityTool/bin/Release/net10.0/MlNetRnn.IntegrityTool.dll fuzz "${args[@]}"
