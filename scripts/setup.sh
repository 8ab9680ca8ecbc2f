#!/usr/bin/env bash
# Installs what MlNetRnn needs on a Debian/Ubuntu machine, idempotently: apt packages, npm assets, NuGet restore.
# The native kernel itself is built by `dotnet build` (CMake, incremental).
#   scripts/setup.sh            everything the tests and the demo need
#   scripts/setup.sh --gpu      also the CUDA build of ONNX Runtime from npm (see README, "ONNX Runtime on CUDA")
#   scripts/setup.sh --bench    also python3-torch, which the benchmark's PyTorch peers and the fixture generators use
set -euo pipefail
cd "$(dirname "$0")/.."

want_gpu=0
want_bench=0
for arg in "$@"; do
  case "$arg" in
    --gpu) want_gpu=1 ;;
    --bench) want_bench=1 ;;
    *) echo "setup.sh: unknown option '$arg' (expected --gpu or --bench)" >&2; exit 2 ;;
  esac
done

# cmake, g++: native build (the kernel needs no other library). python3-onnx: onnx.checker in the export tests.
# libonnx-testdata: ONNX's own GRU/LSTM/RNN node tests. dataset-fashion-mnist: the Fashion-MNIST example.
apt_packages=(cmake g++ python3-onnx libonnx-testdata dataset-fashion-mnist)
# python3-torch (1.13, CPU): the PyTorch peers of the benchmark, and the generators of the committed fixtures.
# libopenblas-dev: the benchmark's SGEMM ceiling (peers/sgemm.c) and PyTorch's BLAS.
[ "$want_bench" -eq 1 ] && apt_packages+=(python3-torch libopenblas-dev)
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

# npm assets: ONNX Runtime's native library (onnxruntime-node, scripts off: we only need its .so) and the corpus.
stamp=node_modules/.mlnetrnn-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ ! -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1 ]; then
  echo "setup: npm ci --ignore-scripts"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
# The GPU pair lands in two folders: ORT 1.29's core library (a CPU build) in com.github.asus4.onnxruntime/Plugins/Linux/x64
# and its CUDA provider in com.github.asus4.onnxruntime.linux-x64-gpu/Plugins/Linux/x64. The binding finds both and
# registers the provider by path (plugin execution provider); see OnnxExport/Runtime/OnnxRuntimeLibraryLocator.cs.
# --no-save keeps package.json CPU-only, so a later `npm ci` drops the pair and this step puts it back.
gpu_core=node_modules/com.github.asus4.onnxruntime/Plugins/Linux/x64/libonnxruntime.so
gpu_provider=node_modules/com.github.asus4.onnxruntime.linux-x64-gpu/Plugins/Linux/x64/libonnxruntime_providers_cuda.so
if [ "$want_gpu" -eq 1 ] && { [ ! -f "$gpu_core" ] || [ ! -f "$gpu_provider" ]; }; then
  echo "setup: npm install the CUDA build of ONNX Runtime (about 230 MB)"
  npm install --ignore-scripts --no-save --no-audit --no-fund --loglevel=error \
    com.github.asus4.onnxruntime@0.4.9 com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9
fi
if [ "$want_gpu" -eq 1 ]; then
  echo "setup: CUDA sessions use $gpu_core with $gpu_provider;"
  echo "       they also need an NVIDIA driver, CUDA 13 (libcudart.so.13, libcublas.so.13, libcublasLt.so.13) and cuDNN 9 on the loader path."
fi

dotnet restore MlNetRnn.sln --verbosity quiet
