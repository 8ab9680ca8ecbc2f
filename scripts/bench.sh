#!/usr/bin/env bash
# The benchmark: every workload of shared/bench/WORKLOADS.md at 1 and 2 threads for MlNetRnn and for the peers
# (PyTorch, ONNX Runtime, SGEMM), round by round: each round runs MlNetRnn's workloads and then the peers' round, so a
# ratio compares figures taken minutes apart, not a whole run apart; within a round, a workload's 1- and 2-thread runs
# are back to back, so the scaling compares neighbours. On AVX-512 hosts each round also measures the SGEMM and the
# PyTorch training peers with OpenBLAS's AVX-512 kernels forced (OPENBLAS_CORETYPE=SkylakeX). Then the ratio table.
# Each round also runs the training workloads with the CLI published by NativeAOT (compiled ahead of time for this
# CPU, IlcInstructionSet=native; lines "mlnetrnn-aot"): its memory has no JIT and no IL in it. About 24 minutes a
# round on 2 cores.
#   scripts/bench.sh [--rounds N] [--no-peers] [--peers DIR] [--aot-only]
# --aot-only: only the NativeAOT CLI's training runs (about 3 minutes a round): its memory and throughput.
# Raw lines go to artifacts/bench-<date>.txt; the table to artifacts/bench-<date>-ratios.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=1; run_peers=1; peers_src=../shared/bench/peers; aot_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --no-peers) run_peers=0; shift ;;
    --peers) peers_src=$2; shift 2 ;;
    --aot-only) aot_only=1; run_peers=0; shift ;;
    *) echo "bench.sh: unknown option '$1' (expected --rounds N, --no-peers, --peers DIR, --aot-only)" >&2; exit 2 ;;
  esac
done
[ -f "$peers_src/measured.py" ] || { echo "bench.sh: no peer scripts at '$peers_src' (expected shared/bench/peers; pass --peers DIR)" >&2; exit 1; }
scripts/setup.sh --bench
dotnet build Cli/MlNetRnn.Cli.csproj -c Release --nologo --verbosity quiet
mkdir -p artifacts
stamp=$(date +%F-%H%M)
out=$PWD/artifacts/bench-$stamp.txt
cli=$PWD/Cli/bin/Release/net10.0/mlnetrnn.dll
# The same CLI compiled ahead of time. Where the NativeAOT compiler cannot be restored or run, its lines are left out
# and the run says so.
aot_cli=$PWD/artifacts/aot/bench-cli/mlnetrnn
rm -rf "$(dirname "$aot_cli")"
if ! dotnet publish Cli/MlNetRnn.Cli.csproj -c Release -r linux-x64 -p:PublishAot=true -p:IlcInstructionSet=native \
     -o "$(dirname "$aot_cli")" --nologo --verbosity quiet >"$PWD/artifacts/aot-publish.log" 2>&1; then
  echo "bench.sh: the NativeAOT publish failed (artifacts/aot-publish.log); the run has no mlnetrnn-aot lines" >&2
  aot_cli=""
  [ "$aot_only" -eq 0 ] || exit 1
fi
# The peer scripts write next to themselves: run a copy.
peers=$(mktemp -d)
trap 'rm -rf "$peers"' EXIT
cp -r "$peers_src"/. "$peers"/
rm -f "$peers"/results-*.txt   # only this run's peer figures go into the table
measure() { /usr/bin/python3 "$peers/measured.py" "$@"; }
# The PyTorch export of the W1 model, timed beside MlNetRnn's export in one process (bench --peer-model).
peer_model="$peers/peer-export-w1.onnx"
[ "$aot_only" -eq 1 ] || (cd "$peers" && /usr/bin/python3 export_onnx.py "$peer_model" >/dev/null)
[ -x "$peers/sgemm" ] || gcc -O2 -o "$peers/sgemm" "$peers/sgemm.c" -I/usr/include/x86_64-linux-gnu/openblas-pthread -lopenblas
avx512=0; grep -qw avx512f /proc/cpuinfo && avx512=1
{
  echo "# mlnetrnn $(git rev-parse --short HEAD) $(date -Is) host:$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) nproc=$(nproc)"
  "$peers/sgemm" 1 64 1 2>&1 >/dev/null | sed 's/^# openblas core=/# openblas default core=/'
  [ -n "$aot_cli" ] || echo "# no NativeAOT CLI: its publish failed (artifacts/aot-publish.log)"
  for r in $(seq 1 "$rounds"); do
    echo "# ---- round $r $(date -Is)"
    if [ -n "$aot_cli" ]; then
      for w in w1 w2 w3 w5; do
        for t in 1 2; do measure "$t" -- "$aot_cli" bench --workload "$w" --threads "$t"; done
      done
    fi
    [ "$aot_only" -eq 0 ] || continue
    for w in w1 w2 w3 w4-b1 w4-b256 w5; do
      for t in 1 2; do measure "$t" -- dotnet "$cli" bench --workload "$w" --threads "$t"; done
    done
    # W5 beside W1 in one process, alternating blocks of steps: the per-real-token ratio without the host's drift
    # between two processes.
    for t in 1 2; do measure "$t" -- dotnet "$cli" bench --workload w5 --alternate-with w1 --threads "$t"; done
    for w in w4-b1 w4-b256; do   # the exported model in ONNX Runtime, beside the PyTorch-exported one in one process
      for t in 1 2; do measure "$t" -- dotnet "$cli" bench --workload "$w" --threads "$t" --runtime onnx --peer-model "$peer_model"; done
    done
    if [ "$run_peers" -eq 1 ]; then
      (cd "$peers" && ./run_all.sh 1 >/dev/null && ./diag_threads.sh 1 >/dev/null)
      for f in "$peers"/results-*.txt; do
        case "$f" in *summary*) ;; *) grep -hv -e '^$' -e '^\s*workload' -e '^#' "$f" ;; esac
      done
      rm -f "$peers"/results-*.txt
      if [ "$avx512" -eq 1 ]; then
        # OpenBLAS 0.3.21 does not know AMD Zen 5 and runs its AVX2 kernels there (half the AVX-512 rate). The machine's
        # limit is the SGEMM with its AVX-512 kernels, and PyTorch's best includes the same override: both measured here.
        for t in 1 2; do
          for n in 2048 4096; do measure "$t" OPENBLAS_CORETYPE=SkylakeX -- "$peers/sgemm" "$t" "$n" 7 2>/dev/null | sed 's/ openblas-c / openblas-c-skylakex /'; done
          for w in w1 w2 w3; do
            (cd "$peers" && measure "$t" OPENBLAS_CORETYPE=SkylakeX PEERS_LABEL=-avx512blas -- /usr/bin/python3 torch_train.py "$w" "$t" --warmup 5 --steps 30)
          done
        done
      fi
    fi
  done
} | tee "$out"
/usr/bin/python3 scripts/bench_ratios.py "$out" | tee "${out%.txt}-ratios.txt"
