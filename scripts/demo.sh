#!/usr/bin/env bash
# The main demo, end to end: spam classification on the SpamAssassin corpus with a GRU, ONNX export,
# and scoring of the held-out mails through ONNX Runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
dotnet run -c Release --project Examples/Spam/MlNetRnn.Examples.Spam.csproj -- "$@"
