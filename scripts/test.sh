#!/usr/bin/env bash
# Runs every test: installs what is missing, builds (native kernel included), runs the test projects, then the
# NativeAOT check (scripts/aot-check.sh: the CLI and the spam demo compiled ahead of time, run end to end).
# The ML.NET adapter's tests run where Microsoft.ML can be referenced: from the folder in MLNETRNN_MLNET_ASSEMBLIES,
# or from the Microsoft.ML NuGet package when it restores from the configured feeds. Otherwise they are skipped and
# this script says so at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

mlnet_build=()
mlnet_source=""
if [ -n "${MLNETRNN_MLNET_ASSEMBLIES:-}" ] && [ -f "$MLNETRNN_MLNET_ASSEMBLIES/Microsoft.ML.Data.dll" ]; then
  mlnet_source="the assemblies in $MLNETRNN_MLNET_ASSEMBLIES"
else
  probe=$(mktemp -d)
  cat > "$probe/probe.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageReference Include="Microsoft.ML" Version="5.0.1" /></ItemGroup>
</Project>
XML
  if timeout 180 dotnet restore "$probe/probe.csproj" >/dev/null 2>&1; then
    mlnet_build=(-p:UseMLNetPackage=true)
    mlnet_source="the Microsoft.ML 5.0.1 NuGet package"
  fi
  rm -rf "$probe"
fi

dotnet build MlNetRnn.sln -c Release --nologo --verbosity quiet "${mlnet_build[@]}"
dotnet test Tests/MlNetRnn.Tests.csproj -c Release --no-build --nologo --logger "console;verbosity=normal"
scripts/aot-check.sh
if [ -n "$mlnet_source" ]; then
  echo "ML.NET adapter tests, against $mlnet_source:"
  dotnet test Tests/MLNet/MlNetRnn.MLNet.Tests.csproj -c Release --no-build --nologo --logger "console;verbosity=normal"
else
  echo
  echo "ML.NET adapter tests SKIPPED: Microsoft.ML is not available here. The Microsoft.ML package does not restore"
  echo "from the configured NuGet feeds, and MLNETRNN_MLNET_ASSEMBLIES does not name a folder of Microsoft.ML assemblies."
  echo "Everything else was built and tested; see README, 'ML.NET', for how to run them."
fi
