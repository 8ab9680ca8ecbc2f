#!/usr/bin/python3
"""Ratio table for a benchmark run: MlNetRnn against the peers measured in the same run.

usage: /usr/bin/python3 scripts/bench_ratios.py artifacts/bench-<date>.txt
Input lines: "<workload> <system> <threads> <metric> <value>  # details" (shared/bench/WORKLOADS.md).
Per (workload, threads, metric) the median over rounds is taken. PyTorch "best" is the best of every PyTorch variant
at that thread count (plain, batch-first, the 2-thread OpenMP/OpenBLAS splits, and OpenBLAS's AVX-512 kernels
forced); for latency, lower is better.
Training rates are also given as a fraction of the best SGEMM rate at the same thread count, over every SGEMM peer
(OpenBLAS as it dispatches, OpenBLAS with its AVX-512 kernels forced, torch.mm, numpy) (FLOPs per
shared/bench/WORKLOADS.md: W1/W5 88.48 MFLOP per sequence, W2 13.43 per sample, W3 1.352 per token).
"""
import collections, re, statistics, sys

TRAIN_MFLOP = {'w1': 88.475, 'w5': 88.475, 'w2': 13.426, 'w3': 1.352}
LOWER_IS_BETTER = {'latency_ms'}

def main(path):
    values = collections.defaultdict(list)
    sgemm = collections.defaultdict(list)
    real_steps = {}
    paired_ratio = collections.defaultdict(list)
    memory = collections.defaultdict(list)
    by_round = collections.defaultdict(dict)   # round -> (workload, system, threads, metric) -> value
    round_no = 0
    for line in open(path):
        m = re.match(r'# ---- round (\d+)', line)
        if m:
            round_no = int(m.group(1))
        if line.startswith('#') or not line.strip():
            continue
        parts = line.split('#')[0].split()
        if len(parts) < 5:
            continue
        workload, system, threads, metric = parts[0], parts[1], int(parts[2]), parts[3]
        try:
            value = float(parts[4])
        except ValueError:
            continue
        if workload.startswith('sgemm'):
            sgemm[(system, threads)].append(value)
            continue
        values[(workload, system, threads, metric)].append(value)
        by_round[round_no][(workload, system, threads, metric)] = value
        m = re.search(r'real_token_ratio_vs_w1=([\d.]+)', line)
        if m and workload == 'w5' and system == 'mlnetrnn-paired':
            paired_ratio[threads].append(m.group(1))
        m = re.search(r'real_steps=([\d.]+)\s*%', line)
        if m and system == 'mlnetrnn':
            real_steps[(workload, threads)] = float(m.group(1)) / 100
        m = re.search(r'peak_rss_mb=([\d.]+) baseline_rss_mb=([\d.]+) accounted_mb=([\d.]+)', line)
        if m and system in ('mlnetrnn', 'mlnetrnn-aot'):
            anon = re.search(r'anon_rss_mb=([\d.]+)', line)   # runs before 2026-12-02 19:00 did not print it
            memory[(system, workload, threads)].append(tuple(float(g) for g in m.groups()) + (float(anon.group(1)) if anon else None,))
    med = {k: statistics.median(v) for k, v in values.items()}
    peak = {}
    for (system, t), v in sgemm.items():
        peak[t] = max(peak.get(t, 0), max(v))
    rows = []
    keys = sorted({(w, t, m) for (w, s, t, m) in med if s == 'mlnetrnn'})
    for (w, t, m) in keys:
        ours = med[(w, 'mlnetrnn', t, m)]
        better = min if m in LOWER_IS_BETTER else max
        torch = [v for (w2, s, t2, m2), v in med.items() if (w2, t2, m2) == (w, t, m) and s.startswith('pytorch')]
        ort = [v for (w2, s, t2, m2), v in med.items() if (w2, t2, m2) == (w, t, m) and s.startswith('ort')]
        def ratio(peer):
            if not peer:
                return '-'
            best = better(peer)
            return f"{(best / ours if m in LOWER_IS_BETTER else ours / best):.2f}x ({best:g})"
        eff = '-'
        if w in TRAIN_MFLOP and t in peak:
            # W5 counts the FLOPs of its real steps only.
            real = real_steps.get((w, t), 1.0) if w == 'w5' else 1.0
            eff = f"{ours * real * TRAIN_MFLOP[w] / 1e3 / peak[t] * 100:.0f}%"
        rows.append((w, t, m, f"{ours:g}", ratio(torch), ratio(ort), eff))
    header = ('workload', 'thr', 'metric', 'mlnetrnn', 'vs best PyTorch', 'vs ORT', '% SGEMM')
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    fmt = '  '.join('{:<%d}' % w for w in widths)
    print(fmt.format(*header))
    for r in rows:
        print(fmt.format(*r))
    print()
    # "PyTorch's best thread setting" read strictly: our 2-thread rate against PyTorch's best at any thread count.
    for (w, t, m) in keys:
        if t < 2 or m not in ('train_seq_per_s', 'train_samples_per_s', 'train_tokens_per_s') or w == 'w5':
            continue
        torch_any = [(v, s, t2) for (w2, s, t2, m2), v in med.items() if (w2, m2) == (w, m) and s.startswith('pytorch')]
        if torch_any:
            v, s, t2 = max(torch_any)
            print(f"{w} {t} thread(s) against PyTorch's best at any thread count: {med[(w, 'mlnetrnn', t, m)] / v:.2f}x "
                  f"({s}, {t2} thread(s), {v:g})")
    print()
    print('SGEMM peak (GFLOP/s): ' + ', '.join(f"{t} thread(s) {p:g}" for t, p in sorted(peak.items())) if peak else 'SGEMM peak: not measured (--no-peers)')
    if sgemm:
        # Each SGEMM peer's best line per thread count (openblas-c-skylakex: OpenBLAS with its AVX-512 kernels forced).
        for system in sorted({s for s, _ in sgemm}):
            print(f"  {system}: " + ', '.join(f"{t} thread(s) {max(v):g}" for (s, t), v in sorted(sgemm.items()) if s == system))
    for t in (1, 2):
        w1, w5 = med.get(('w1', 'mlnetrnn', t, 'train_seq_per_s')), med.get(('w5', 'mlnetrnn', t, 'train_seq_per_s'))
        if w1 and w5 and (('w5', t) in real_steps):
            # Real tokens per second: W5 sequences carry real_steps x T tokens on average, W1 sequences T.
            ratio = w5 * real_steps[('w5', t)] / w1
            print(f"W5 throughput per real token / W1's at {t} thread(s): {ratio:.2f} (W5's real steps are {real_steps[('w5', t)]:.1%} of its padded steps)")
    for t in (1, 2):
        # bench --workload w5 --alternate-with w1: both in one process, alternating blocks of steps.
        paired = [float(x) for x in paired_ratio.get(t, [])]
        if paired:
            print(f"W5 throughput per real token / W1's at {t} thread(s), same process, alternating blocks: "
                  f"{statistics.median(paired):.2f} (rounds: {', '.join(f'{x:.2f}' for x in paired)})")
    for (w, s, t, m), ours in sorted(med.items()):
        if s != 'mlnetrnn-onnx':
            continue
        def time_ratio(mine, peer):   # our time over the peer's
            return (mine / peer) if m in LOWER_IS_BETTER else (peer / mine)
        # peer-export-onnx: the PyTorch export timed in the same process, alternating blocks (bench --peer-model); the
        # per-round ratios of those pairs are the figure, the Node peer's (another process, minutes apart) a cross-check.
        pairs = [time_ratio(r[(w, s, t, m)], r[(w, 'peer-export-onnx', t, m)])
                 for r in by_round.values() if (w, s, t, m) in r and (w, 'peer-export-onnx', t, m) in r]
        if pairs:
            print(f"{w} {t} thread(s) {m}: MlNetRnn's export vs the PyTorch export, same process and runtime: "
                  f"{(statistics.median(pairs) - 1) * 100:+.1f}% time (rounds: {', '.join(f'{(x - 1) * 100:+.1f}%' for x in pairs)})")
        ort = [v for (w2, s2, t2, m2), v in med.items() if (w2, t2, m2) == (w, t, m) and s2.startswith('ort')]
        if ort:
            print(f"{w} {t} thread(s) {m}: MlNetRnn's export {ours:g} vs the PyTorch export {ort[0]:g} in ONNX Runtime from Node "
                  f"(another process): {(time_ratio(ours, ort[0]) - 1) * 100:+.1f}% time")
    for w, m in (('w1', 'train_seq_per_s'), ('w3', 'train_tokens_per_s')):
        one, two = med.get((w, 'mlnetrnn', 1, m)), med.get((w, 'mlnetrnn', 2, m))
        # Per round, the 1- and 2-thread runs were back to back: the median of those ratios drifts least with the host.
        per_round = [r[(w, 'mlnetrnn', 2, m)] / r[(w, 'mlnetrnn', 1, m)] for r in by_round.values()
                     if (w, 'mlnetrnn', 1, m) in r and (w, 'mlnetrnn', 2, m) in r]
        if one and two:
            print(f"{w.upper()} scaling 2 threads / 1 thread: {two / one:.2f} on the medians"
                  + (f", {statistics.median(per_round):.2f} median of the rounds' ({', '.join(f'{x:.2f}' for x in per_round)})" if per_round else ''))
    for system, title in (('mlnetrnn', 'the CLI as built (JIT-compiled .NET)'),
                          ('mlnetrnn-aot', 'the CLI published with NativeAOT (scripts/bench.sh publishes it; the same kernel)')):
        rows = sorted((w, t, v) for (s2, w, t), v in memory.items() if s2 == system)
        if not rows:
            continue
        # accounted = parameters + gradients + optimizer state + what backward keeps + the batch (BenchRunner.ModelMemory)
        print()
        print(f'Training peak memory, {title} (medians; RSS above the process baseline before the model exists;')
        print('  private memory: the anonymous part of the RSS, without the runtime\'s and the libraries\' files mapped into it):')
        for w, t, v in rows:
            peak, base, acc = (statistics.median(x[i] for x in v) for i in range(3))
            anons = [x[3] for x in v if x[3] is not None]
            anon = f", private {statistics.median(anons):g} MB, private / accounted {statistics.median(anons) / acc:.2f}" if anons else ''
            print(f"  {w} {t} thread(s): peak RSS {peak:g} MB, baseline {base:g} MB, accounted {acc:g} MB, "
                  f"(peak - baseline) / accounted {(peak - base) / acc:.2f}, peak / accounted {peak / acc:.2f}{anon}")
    aot = sorted((w, t, m) for (w, s2, t, m) in med if s2 == 'mlnetrnn-aot' and m.startswith('train'))
    if aot:
        print()
        print('NativeAOT CLI training throughput (medians):')
        for w, t, m in aot:
            jit = med.get((w, 'mlnetrnn', t, m))
            print(f"  {w} {t} thread(s) {m}: {med[(w, 'mlnetrnn-aot', t, m)]:g}"
                  + (f", {med[(w, 'mlnetrnn-aot', t, m)] / jit:.3f} of the JIT-compiled CLI's {jit:g}" if jit else ''))

if __name__ == '__main__':
    main(sys.argv[1])
