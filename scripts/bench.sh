#!/usr/bin/env bash
# The benchmark: the workloads of docs/workloads.md (W1-W7) at 1 and 2 threads for MlNetRnn and its peers, round by
# round. Within a round each workload's measurements are interleaved, at each thread count: MlNetRnn, the PyTorch 1.13
# peer (Debian's /usr/bin/python3, denormals flushed; on AVX-512 hosts with OpenBLAS's AVX-512 kernels forced,
# OPENBLAS_CORETYPE=SkylakeX, since OpenBLAS 0.3.21 falls back to slow kernels on CPUs it does not know; at 2 threads
# one OpenMP thread and 2 OpenBLAS threads, its best split on 2 vCPUs), the LibTorch 2.10 peer (TorchSharp-cpu 0.107,
# Benchmarks/peers/torchsharp/run-debian13.sh: on the host where its libstdc++ is new enough, else in a Debian 13 root;
# where it can run neither, one line says why and the round goes on without it), the oneDNN 2.6 peer (its RNN
# primitive, Benchmarks/peers/onednn; W1-W3, W6, W7), and for W4 the exported model in ONNX Runtime (the version the CLI
# references, 1.32) measured in-process by `mlnetrnn bench --runtime onnx`, beside the PyTorch export. Each round also
# measures the SGEMM ceiling (OpenBLAS, SkylakeX-forced on AVX-512 hosts, and oneDNN's matmul) and, with W7, MlNetRnn's
# W7 at T 2000 against T 200 in one process (the denormal check: cost per token should not grow with T).
# Ratios are computed per round by scripts/bench_ratios.py, then the median over rounds.
#   scripts/bench.sh [--rounds N] [--workloads w1,w2,...] [--threads 1,2] [--seconds S] [--no-peers] [--no-aot] [--aot-only]
# --workloads: a subset of w1,w2,w3,w4,w5,w6,w7 (default all). --seconds S: each measurement times steps for about S
# seconds (at least 5 steps, at most 30; default 0: 30 steps each, as docs/workloads.md says; a full run then takes
# about 25 minutes a round on 2 cores). --no-aot: leave out the NativeAOT CLI (lines "mlnetrnn-aot", W1-W3 and W5:
# its memory without the JIT). --aot-only: only those.
# Raw lines go to artifacts/bench-<date>.txt; the table to artifacts/bench-<date>-ratios.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=1; run_peers=1; aot=1; aot_only=0; seconds=0
workloads=w1,w2,w3,w4,w5,w6,w7; thread_counts=1,2
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --workloads) workloads=$2; shift 2 ;;
    --threads) thread_counts=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --no-peers) run_peers=0; shift ;;
    --no-aot) aot=0; shift ;;
    --aot-only) aot_only=1; run_peers=0; shift ;;
    *) echo "bench.sh: unknown option '$1' (expected --rounds N, --workloads w1,..., --threads 1,2, --seconds S, --no-peers, --no-aot, --aot-only)" >&2; exit 2 ;;
  esac
done
for w in ${workloads//,/ }; do
  case "$w" in w[1-7]) ;; *) echo "bench.sh: unknown workload '$w' (expected w1..w7)" >&2; exit 2 ;; esac
done
has() { case ",$workloads," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
peers=$PWD/Benchmarks/peers
scripts/setup.sh --bench
dotnet build Cli/MlNetRnn.Cli.csproj -c Release --nologo --verbosity quiet
mkdir -p artifacts
stamp=$(date +%F-%H%M)
out=$PWD/artifacts/bench-$stamp.txt
cli=$PWD/Cli/bin/Release/net10.0/mlnetrnn.dll
timing=(--steps 30); [ "$seconds" = 0 ] || timing=(--steps 30 --seconds "$seconds")
peer_timing=(--warmup 3 "${timing[@]}")
# The same CLI compiled ahead of time. Where the NativeAOT compiler cannot be restored or run, its lines are left out
# and the run says so.
aot_cli=""
if [ "$aot" -eq 1 ]; then
  aot_cli=$PWD/artifacts/aot/bench-cli/mlnetrnn
  rm -rf "$(dirname "$aot_cli")"
  if ! dotnet publish Cli/MlNetRnn.Cli.csproj -c Release -r linux-x64 -p:PublishAot=true -p:IlcInstructionSet=native \
       -o "$(dirname "$aot_cli")" --nologo --verbosity quiet >"$PWD/artifacts/aot-publish.log" 2>&1; then
    echo "bench.sh: the NativeAOT publish failed (artifacts/aot-publish.log); the run has no mlnetrnn-aot lines" >&2
    aot_cli=""
    [ "$aot_only" -eq 0 ] || exit 1
  fi
fi
# measured.py tags each line with the CPU other processes used meanwhile; on a shared machine it waits at most 5 s
# for 1 idle second (its default, 30 minutes for 3, would stall a run while others build).
export PEERS_MAX_IDLE_WAIT=${PEERS_MAX_IDLE_WAIT:-2} PEERS_IDLE_WINDOWS=${PEERS_IDLE_WINDOWS:-1}
measure() { /usr/bin/python3 "$peers/measured.py" "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
avx512=0; grep -qw avx512f /proc/cpuinfo && avx512=1
blas_env=(); [ "$avx512" -eq 0 ] || blas_env=(OPENBLAS_CORETYPE=SkylakeX)
torch_label() { [ "$avx512" -eq 0 ] || printf -- '-avx512blas'; [ "$1" -eq 1 ] || printf -- '-omp1blas2'; }
torch_env() { echo "${blas_env[@]}" PEERS_LABEL="$(torch_label "$1")"; [ "$1" -eq 1 ] || echo OMP_NUM_THREADS=1 PEERS_TORCH_THREADS=1; }
peer_model="$work/peer-export-w1.onnx"
onednn=""; torchsharp=0
if [ "$run_peers" -eq 1 ]; then
  has w4 && (cd "$peers" && /usr/bin/python3 export_onnx.py "$peer_model" >/dev/null)
  gcc -O2 -o "$work/sgemm" "$peers/sgemm.c" -I/usr/include/x86_64-linux-gnu/openblas-pthread -lopenblas
  if [ -f /usr/include/oneapi/dnnl/dnnl.hpp ] || apt-get install -y -q libdnnl-dev >/dev/null 2>&1; then
    "$peers/onednn/build.sh" >/dev/null && onednn=$peers/onednn/onednn_train
  fi
  [ -n "$onednn" ] || echo "bench.sh: the oneDNN peer could not be built (libdnnl-dev): no oneDNN lines" >&2
  if "$peers/torchsharp/run-debian13.sh" --build >"$work/torchsharp-build.log" 2>&1; then torchsharp=1
  else echo "bench.sh: the TorchSharp (LibTorch 2.10) peer cannot run here: $(grep -m1 'run-debian13.sh:' "$work/torchsharp-build.log" || tail -n1 "$work/torchsharp-build.log")" >&2; fi
fi
ours() { local t=$1; shift; measure "$t" -- dotnet "$cli" bench --threads "$t" "${timing[@]}" "$@"; }
torch_peer() { local t=$1; shift; (cd "$peers" && measure "$t" $(torch_env "$t") -- /usr/bin/python3 "$@"); }
sharp_peer() { [ "$torchsharp" -eq 0 ] || measure "$1" -- "$peers/torchsharp/run-debian13.sh" "$2" "$1" "${peer_timing[@]}" "${@:3}"; }
onednn_peer() { [ -z "$onednn" ] || measure "$1" -- "$onednn" "$2" "$1" "${peer_timing[@]}" "${@:3}" 2>/dev/null; }
{
  echo "# mlnetrnn $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Estimators Cli || echo '+changes') $(date -Is) host:$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) (family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' ') model $(grep -m1 '^model\s' /proc/cpuinfo | cut -d: -f2 | tr -d ' '), $(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || echo no AVX-512)) nproc=$(nproc) workloads=$workloads threads=$thread_counts seconds=$seconds"
  [ "$run_peers" -eq 0 ] || "$work/sgemm" 1 64 1 2>&1 >/dev/null | sed 's/^# openblas core=/# openblas default core=/'
  [ "$aot" -eq 0 ] || [ -n "$aot_cli" ] || echo "# no NativeAOT CLI: its publish failed (artifacts/aot-publish.log)"
  [ "$run_peers" -eq 0 ] || [ "$torchsharp" -eq 1 ] || echo "# no TorchSharp peer: $(grep -m1 'run-debian13.sh:' "$work/torchsharp-build.log" || tail -n1 "$work/torchsharp-build.log")"
  for r in $(seq 1 "$rounds"); do
    echo "# ---- round $r $(date -Is)"
    if [ -n "$aot_cli" ]; then
      for w in w1 w2 w3 w5; do
        has "$w" || continue
        for t in ${thread_counts//,/ }; do measure "$t" -- "$aot_cli" bench --workload "$w" --threads "$t" "${timing[@]}"; done
      done
    fi
    [ "$aot_only" -eq 0 ] || continue
    if [ "$run_peers" -eq 1 ]; then
      for t in ${thread_counts//,/ }; do
        measure "$t" "${blas_env[@]}" -- "$work/sgemm" "$t" 2048 7 2>/dev/null | sed "s/ openblas-c / openblas-c$([ "$avx512" -eq 0 ] || echo -skylakex) /"
        [ -z "$onednn" ] || measure "$t" -- "$onednn" sgemm "$t" 2048 7
      done
    fi
    for w in ${workloads//,/ }; do
      for t in ${thread_counts//,/ }; do
        if [ "$w" = w4 ]; then
          for b in w4-b1 w4-b256; do ours "$t" --workload "$b"; done
          if [ "$run_peers" -eq 1 ]; then
            # The exported model in ONNX Runtime, beside the PyTorch-exported one in the same process.
            for b in w4-b1 w4-b256; do ours "$t" --workload "$b" --runtime onnx --peer-model "$peer_model"; done
            torch_peer "$t" torch_infer.py "$t"
            sharp_peer "$t" w4
          fi
          continue
        fi
        ours "$t" --workload "$w"
        # W7 at T 2000 against T 200 in one process, alternating blocks: cost per token against T (denormals).
        [ "$w" != w7 ] || ours "$t" --workload w7 --alternate-with w7-t200
        [ "$run_peers" -eq 1 ] || continue
        torch_peer "$t" torch_train.py "$w" "$t" "${peer_timing[@]}"
        sharp_peer "$t" "$w"
        case "$w" in w5) ;; *) onednn_peer "$t" "$w" ;; esac
      done
    done
  done
} | tee "$out"
/usr/bin/python3 scripts/bench_ratios.py "$out" | tee "${out%.txt}-ratios.txt"
