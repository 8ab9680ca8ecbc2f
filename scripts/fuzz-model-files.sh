#!/usr/bin/env bash
# Long fuzz campaign of the .mlnr model loader and the checkpoint loader (the test run holds a 420-case slice of it,
# Tests/Integrity/ModelFileFuzzTests.cs). Seeded and deterministic: case i of a seed is the same damaged file on every
# run, so a failure replays alone with --case i. Prints the cases per reader and per mutation by outcome (refused,
# identical, other valid model, FAILED), the largest allocation of a read and the slowest case; failing inputs go to
# --failures (default artifacts/fuzz-failures) as files with a .txt that says what was done and what happened.
#
#   scripts/fuzz-model-files.sh [--cases N] [--seed S] [--first I] [--case I] [--timeout SECONDS] [--failures DIR] [--verbose]
#
# Exits 1 when a case failed. 20,000 cases took 2 to 3.5 minutes on this 2-core machine (shared).
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
