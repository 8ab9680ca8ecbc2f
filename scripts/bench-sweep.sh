#!/usr/bin/env bash
# How the cost of training grows with the work: training throughput per token of the sweep workload (docs/workloads.md:
# the W1 model with GRU(64 -> H), batch 64, over T steps) against the hidden size H (64..1024 at T 100) and against
# the sequence length T (20..2000 at H 128), at 1 and 2 threads, for MlNetRnn, LibTorch 2.10 (TorchSharp, where
# Benchmarks/peers/torchsharp/run-debian13.sh can run it) and oneDNN 2.6's RNN primitive; each point's systems run
# back to back (interleaved), with the SGEMM ceiling at the start. A point times steps for about --seconds (at least 5
# steps), so the whole sweep takes about 10 minutes on 2 cores. Then draws docs/speed-sweep.png
# (scripts/plot_sweep.py, /usr/bin/python3 with matplotlib).
#   scripts/bench-sweep.sh [--seconds S] [--threads 1,2] [--hidden 64,128,...] [--lengths 20,50,...] [--no-build]
# Raw lines: artifacts/sweep-<date>.txt (also copied to docs/speed-sweep.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=1.5; point_limit=${SWEEP_POINT_LIMIT:-60}; thread_counts=1,2; hidden=64,128,256,512,1024; lengths=20,50,200,500,2000; build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --threads) thread_counts=$2; shift 2 ;;
    --hidden) hidden=$2; shift 2 ;;
    --lengths) lengths=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "bench-sweep.sh: unknown option '$1' (expected --seconds S, --threads 1,2, --hidden H,..., --lengths T,..., --no-build)" >&2; exit 2 ;;
  esac
done
peers=$PWD/Benchmarks/peers
cli=$PWD/Cli/bin/Release/net10.0/mlnetrnn.dll
[ "$build" -eq 0 ] || dotnet build Cli/MlNetRnn.Cli.csproj -c Release --nologo --verbosity quiet >/dev/null
[ -x "$peers/onednn/onednn_train" ] || "$peers/onednn/build.sh" >/dev/null
torchsharp=1
"$peers/torchsharp/run-debian13.sh" --build >/tmp/sweep-torchsharp-build.log 2>&1 || {
  torchsharp=0; echo "bench-sweep.sh: no LibTorch curve: $(grep -m1 'run-debian13.sh:' /tmp/sweep-torchsharp-build.log || tail -n1 /tmp/sweep-torchsharp-build.log)" >&2; }
export PEERS_MAX_IDLE_WAIT=${PEERS_MAX_IDLE_WAIT:-2} PEERS_IDLE_WINDOWS=${PEERS_IDLE_WINDOWS:-1}
measure() { /usr/bin/python3 "$peers/measured.py" "$@"; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
gcc -O2 -o "$work/sgemm" "$peers/sgemm.c" -I/usr/include/x86_64-linux-gnu/openblas-pthread -lopenblas
blas_env=(); grep -qw avx512f /proc/cpuinfo && blas_env=(OPENBLAS_CORETYPE=SkylakeX)
mkdir -p artifacts
out=$PWD/artifacts/sweep-$(date +%F-%H%M).txt
point() {   # H T: every system at every thread count, back to back
  local h=$1 T=$2 t
  for t in ${thread_counts//,/ }; do
    measure "$t" -- dotnet "$cli" bench --workload "sweep-h$h-t$T" --threads "$t" --warmup-seconds 1 --steps 30 --seconds "$seconds"
    # A peer's point gets at most $point_limit s: where other processes take the cores, OpenMP's spinning threads can
    # slow a peer 10x and more at 2 threads; such a point is dropped (its "# FAILED rc=124" line says so).
    [ "$torchsharp" -eq 0 ] || measure "$t" -- timeout "$point_limit" "$peers/torchsharp/run-debian13.sh" sweep "$t" --hidden "$h" --seq-length "$T" --warmup 2 --steps 30 --seconds "$seconds"
    measure "$t" -- timeout "$point_limit" "$peers/onednn/onednn_train" sweep "$t" --hidden "$h" --seq-length "$T" --warmup 2 --steps 30 --seconds "$seconds" 2>/dev/null
  done
}
{
  echo "# sweep mlnetrnn $(git rev-parse --short HEAD) $(date -Is) host:$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) nproc=$(nproc) seconds=$seconds"
  for t in ${thread_counts//,/ }; do
    measure "$t" "${blas_env[@]}" -- "$work/sgemm" "$t" 2048 7 2>/dev/null
    measure "$t" -- "$peers/onednn/onednn_train" sgemm "$t" 2048 7
  done
  for h in ${hidden//,/ }; do point "$h" 100; done
  for T in ${lengths//,/ }; do point 128 "$T"; done
} | tee "$out"
cp "$out" docs/speed-sweep.txt
/usr/bin/python3 scripts/plot_sweep.py docs/speed-sweep.txt docs/speed-sweep.png
