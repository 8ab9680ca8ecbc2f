#!/usr/bin/env bash
# Runs every test: installs what is missing, builds (native kernel included), runs the test projects.
# The ML.NET adapter's tests run where Microsoft.ML can be referenced (see README, "ML.NET"); otherwise they are
# skipped and this script says so.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
dotnet build MlNetRnn.sln -c Release --nologo --verbosity quiet
dotnet test Tests/MlNetRnn.Tests.csproj -c Release --no-build --nologo --logger "console;verbosity=normal"
