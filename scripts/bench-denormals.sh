#!/usr/bin/env bash
# The denormal check: MlNetRnn's W7 cost per real token at T 2000 over the same at T 200 (docs/workloads.md), both in
# one process, alternating blocks of steps (bench --alternate-with), at 1 and 2 threads. A kernel that hit the
# denormal slow path as the carried state and the moments decay over the longer sequence would be slower per token at
# T 2000; the target is a ratio within 10% of 1. scripts/bench.sh measures the same pair in every round.
#   scripts/bench-denormals.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${1:-}" = --no-build ] || dotnet build Cli/MlNetRnn.Cli.csproj -c Release --nologo --verbosity quiet >/dev/null
for t in 1 2; do
  line=$(dotnet Cli/bin/Release/net10.0/mlnetrnn.dll bench --workload w7 --alternate-with w7-t200 --threads "$t" | grep '^w7 ')
  ratio=$(sed -n 's/.*real_token_ratio_vs_w7-t200=\([0-9.]*\).*/\1/p' <<<"$line")
  python3 -c "import sys; r = 1 / float(sys.argv[1]); print(f'W7 cost per token, T 2000 / T 200, {sys.argv[2]} thread(s): {r:.3f} ({\"within\" if abs(r - 1) <= 0.1 else \"NOT within\"} 10%)')" "$ratio" "$t"
done
