#!/usr/bin/env bash
# Runs every test: installs what is missing, builds (native kernel included), runs the test projects (the library;
# the ML.NET adapter against the Microsoft.ML package), then the NativeAOT check (scripts/aot-check.sh: the CLI and
# the spam demo compiled ahead of time, run end to end) and the consumer check (scripts/consumer-check.sh: the NuGet
# packages packed into a local feed and used by a new application outside the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

dotnet build MlNetRnn.sln -c Release --nologo --verbosity quiet
dotnet test Tests/MlNetRnn.Tests.csproj -c Release --no-build --nologo --logger "console;verbosity=normal"
dotnet test Tests/MLNet/MlNetRnn.MLNet.Tests.csproj -c Release --no-build --nologo --logger "console;verbosity=normal"
scripts/aot-check.sh

scripts/consumer-check.sh
