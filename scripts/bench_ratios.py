#!/usr/bin/python3
"""Ratio table for a benchmark run (scripts/bench.sh): MlNetRnn against the peers measured in the same rounds.

usage: /usr/bin/python3 scripts/bench_ratios.py artifacts/bench-<date>.txt
Input lines: "<workload> <system> <threads> <metric> <value>  # details" (docs/workloads.md), rounds started by
"# ---- round N". Every ratio is computed within one round (MlNetRnn's figure over the peer's from the same round;
for latency the peer's over ours, so > 1 is always in MlNetRnn's favour) and the table shows the median of those
per-round ratios; the MlNetRnn column is the median of its rounds. Peers: PyTorch 1.13 (systems pytorch-*, for W4
pytorch-eager-*), LibTorch 2.10 (torchsharp-*), oneDNN 2.6's RNN primitive (onednn-*, its whole training step),
ONNX Runtime (peer-export-onnx: the PyTorch-exported W4 model in the CLI's ONNX Runtime, timed in the same process as
MlNetRnn's own export, mlnetrnn-onnx). % SGEMM: the training rate in FLOPs (docs/workloads.md) over the best SGEMM
of the same round at that thread count (OpenBLAS with the kernels it is told to use, oneDNN's matmul), the median of
those per-round fractions like every ratio (the host's SGEMM moves from round to round: 180-207 GFLOP/s at 1 thread in
one run).
"""
import collections, re, statistics, sys

# Training MFLOP per unit of the metric (docs/workloads.md): W1/W5 per sequence (W5: its real steps), W2 per sample,
# W3 and W7 per token, W6 per sequence; sweep-h<H>-t<T>: per token.
TRAIN_MFLOP = {'w1': 88.475, 'w5': 88.475, 'w2': 13.426, 'w3': 1.352, 'w6': 1415.6, 'w7': 0.4424}
LOWER_IS_BETTER = {'latency_ms'}
PEERS = (('vs PyTorch 1.13', lambda s: s.startswith('pytorch')),
         ('vs LibTorch 2.10', lambda s: s.startswith('torchsharp')),
         ('vs oneDNN 2.6', lambda s: s.startswith('onednn-') and 'rnnonly' not in s),
         ('vs ONNX Runtime', lambda s: s == 'peer-export-onnx'))
ORDER = ['w1', 'w2', 'w3', 'w4-b1', 'w4-b256', 'w5', 'w6', 'w7']


def train_mflop(workload):
    m = re.fullmatch(r'sweep-h(\d+)-t\d+', workload)
    if m:
        h = int(m.group(1))
        return 3 * 6 * h * (64 + h) / 1e6
    if re.fullmatch(r'w7-t\d+', workload):
        return TRAIN_MFLOP['w7']
    return TRAIN_MFLOP.get(workload)


def parse(path):
    rounds = collections.defaultdict(dict)   # round -> (workload, system, threads, metric) -> value
    details = collections.defaultdict(dict)
    sgemm = collections.defaultdict(list)    # (system, threads) -> GFLOP/s per round
    sgemm_by_round = collections.defaultdict(dict)  # round -> threads -> the best SGEMM of that round
    header = []
    r = 0
    for line in open(path):
        m = re.match(r'# ---- round (\d+)', line)
        if m:
            r = int(m.group(1))
        if line.startswith('#') or not line.strip():
            if line.startswith('# mlnetrnn') or line.startswith('# openblas') or line.startswith('# no '):
                header.append(line.strip())
            continue
        parts = line.split('#')[0].split()
        if len(parts) < 5:
            continue
        try:
            value = float(parts[4])
        except ValueError:
            continue
        workload, system, threads, metric = parts[0], parts[1], int(parts[2]), parts[3]
        if workload.startswith('sgemm'):
            sgemm[(system, threads)].append(value)
            sgemm_by_round[r][threads] = max(sgemm_by_round[r].get(threads, 0), value)
            continue
        rounds[r][(workload, system, threads, metric)] = value
        details[r][(workload, system, threads, metric)] = line.split('#', 1)[1] if '#' in line else ''
    return rounds, details, sgemm, sgemm_by_round, header


def med(xs):
    return statistics.median(xs) if xs else None


def main(path):
    rounds, details, sgemm, sgemm_by_round, header = parse(path)
    for h in header:
        print(h)
    peak = {}
    for (system, t), v in sgemm.items():
        peak[t] = max(peak.get(t, 0), statistics.median(v))
    keys = sorted({(w, t, m) for r in rounds.values() for (w, s, t, m) in r if s == 'mlnetrnn'},
                  key=lambda k: (ORDER.index(k[0]) if k[0] in ORDER else 99, k[0], k[1]))

    def ours_values(w, t, m, system='mlnetrnn'):
        return [r[(w, system, t, m)] for r in rounds.values() if (w, system, t, m) in r]

    def peer_ratios(w, t, m, match):
        out, peer_vals = [], []
        for r in rounds.values():
            if (w, 'mlnetrnn', t, m) not in r:
                continue
            peer = [v for (w2, s, t2, m2), v in r.items() if (w2, t2, m2) == (w, t, m) and match(s)]
            if not peer:
                continue
            best = min(peer) if m in LOWER_IS_BETTER else max(peer)
            ours = r[(w, 'mlnetrnn', t, m)]
            out.append(best / ours if m in LOWER_IS_BETTER else ours / best)
            peer_vals.append(best)
        return out, peer_vals

    def real_fraction(w, t):
        fr = [float(x) / 100 for d in details.values() for (w2, s, t2, _), text in d.items()
              if (w2, s, t2) == (w, 'mlnetrnn', t) for x in re.findall(r'real_steps=([\d.]+)\s*%', text)]
        return med(fr) or 1.0

    print()
    print('Medians over the rounds; each ratio is the median of the per-round ratios (MlNetRnn / peer for throughput, '
          'peer / MlNetRnn for latency: > 1 is in MlNetRnn\'s favour), the peer\'s median in parentheses.')
    header_row = ('workload', 'thr', 'metric', 'MlNetRnn') + tuple(p[0] for p in PEERS) + ('% SGEMM', '2-thr scaling')
    rows = []
    per_round_text = []
    for (w, t, m) in keys:
        ours = ours_values(w, t, m)
        cols = []
        for title, match in PEERS:
            rs, pv = peer_ratios(w, t, m, match)
            cols.append(f"{med(rs):.2f}x ({med(pv):g})" if rs else '-')
            if rs:
                per_round_text.append(f"  {w} {t} thr {title}: " + ', '.join(f'{x:.2f}' for x in rs))
        eff = '-'
        if train_mflop(w) and m.startswith('train'):
            fractions = [r[(w, 'mlnetrnn', t, m)] * real_fraction(w, t) * train_mflop(w) / 1e3 / sgemm_by_round[rno][t]
                         for rno, r in rounds.items() if (w, 'mlnetrnn', t, m) in r and t in sgemm_by_round.get(rno, {})]
            if fractions:
                eff = f"{med(fractions) * 100:.0f}%"
                per_round_text.append(f"  {w} {t} thr % of the round's best SGEMM: " +
                                      ', '.join(f'{x * 100:.0f}' for x in fractions))
        scaling = '-'
        if t == 2 and m.startswith('train') or (t == 2 and m == 'infer_seq_per_s'):
            per = [r[(w, 'mlnetrnn', 2, m)] / r[(w, 'mlnetrnn', 1, m)] for r in rounds.values()
                   if (w, 'mlnetrnn', 1, m) in r and (w, 'mlnetrnn', 2, m) in r]
            scaling = f"{med(per):.2f}" if per else '-'
            # Against the SGEMM's own scaling in the same round (> 1: the workload scales better than the GEMM did).
            rel = [r[(w, 'mlnetrnn', 2, m)] / r[(w, 'mlnetrnn', 1, m)] / (sgemm_by_round[rno][2] / sgemm_by_round[rno][1])
                   for rno, r in rounds.items() if (w, 'mlnetrnn', 1, m) in r and (w, 'mlnetrnn', 2, m) in r
                   and {1, 2} <= set(sgemm_by_round.get(rno, {}))]
            if per:
                per_round_text.append(f"  {w} 2-thr scaling: {', '.join(f'{x:.2f}' for x in per)}" +
                                      (f"; over the round's SGEMM scaling: {', '.join(f'{x:.2f}' for x in rel)}" if rel else ''))
        rows.append((w, str(t), m, f"{med(ours):g}", *cols, eff, scaling))
    widths = [max(len(r[i]) for r in rows + [header_row]) for i in range(len(header_row))]
    print('| ' + ' | '.join(h.ljust(widths[i]) for i, h in enumerate(header_row)) + ' |')
    print('|' + '|'.join('-' * (wd + 2) for wd in widths) + '|')
    for r in rows:
        print('| ' + ' | '.join(c.ljust(widths[i]) for i, c in enumerate(r)) + ' |')
    print()
    # measured.py's others=: the CPU that other processes used during each measurement, % of all cores.
    others = collections.defaultdict(list)
    for rno, d in details.items():
        for text in d.values():
            m = re.search(r'others=([\d.]+)%', text)
            if m:
                others[rno].append(float(m.group(1)))
    if others:
        print('Other processes\' CPU during the measurements (measured.py others=, % of all cores), median and max per round: '
              + '; '.join(f'round {rno} {statistics.median(v):.0f}% / {max(v):.0f}%' for rno, v in sorted(others.items())))
    print(f'Rounds: {len(rounds)}. Per-round ratios:')
    for line in per_round_text:
        print(line)
    print()
    if peak:
        print('SGEMM (GFLOP/s, median of the rounds): ' + '; '.join(
            f"{s} {t} thr {statistics.median(v):g}" for (s, t), v in sorted(sgemm.items(), key=lambda k: (k[0][1], k[0][0]))))
        print('Best SGEMM: ' + ', '.join(f"{t} thread(s) {p:g}" for t, p in sorted(peak.items())))
        # What 2 threads give the machine's best GEMM in the same rounds: the 2-thread scaling of a workload is bounded
        # by the host as much as by the code (another tenant on the second vCPU's core, a lower all-core clock).
        per = [b[2] / b[1] for b in sgemm_by_round.values() if 1 in b and 2 in b]
        if per:
            print(f"SGEMM 2-thread scaling (best 2-thread / best 1-thread SGEMM of the round): {med(per):.2f} "
                  f"(rounds: {', '.join(f'{x:.2f}' for x in per)})")
    # W7 at T 2000 against T 200 in one process, alternating blocks (bench --alternate-with w7-t200).
    for t in (1, 2):
        ratios = [1 / float(x) for d in details.values() for (w, s, t2, _), text in d.items()
                  if (w, s, t2) == ('w7', 'mlnetrnn-paired', t) for x in re.findall(r'real_token_ratio_vs_w7-t200=([\d.]+)', text)]
        if ratios:
            print(f"W7 cost per token, T 2000 / T 200, same process, alternating blocks, {t} thread(s): {med(ratios):.3f} "
                  f"(rounds: {', '.join(f'{x:.3f}' for x in ratios)}; target: within 10% of 1)")
    for t in (1, 2):
        w1, w5 = med(ours_values('w1', t, 'train_seq_per_s')), med(ours_values('w5', t, 'train_seq_per_s'))
        if w1 and w5:
            print(f"W5 throughput per real token / W1's at {t} thread(s): {w5 * real_fraction('w5', t) / w1:.2f}")
    # Memory: peak RSS against the accounted bytes (parameters, gradients, optimizer state, what backward keeps, batch).
    for system, title in (('mlnetrnn', 'the CLI as built (JIT-compiled .NET)'), ('mlnetrnn-aot', 'the NativeAOT CLI')):
        mem = collections.defaultdict(list)
        for d in details.values():
            for (w, s, t, _), text in d.items():
                m = re.search(r'peak_rss_mb=([\d.]+) baseline_rss_mb=([\d.]+) accounted_mb=([\d.]+)', text)
                anon = re.search(r'anon_rss_mb=([\d.]+)', text)
                if s == system and m:
                    mem[(w, t)].append(tuple(float(g) for g in m.groups()) + (float(anon.group(1)) if anon else float('nan'),))
        if not mem:
            continue
        print()
        print(f'Training peak memory, {title} (medians): peak RSS / accounted, (peak - baseline) / accounted, and the '
              'private (anonymous) memory / accounted: RSS also counts the pages of the runtime and libraries mapped from '
              'their files')
        for (w, t), v in sorted(mem.items(), key=lambda k: (ORDER.index(k[0][0]) if k[0][0] in ORDER else 99, k[0][1])):
            pk, base, acc, anon = (statistics.median(x[i] for x in v) for i in range(4))
            print(f"  {w} {t} thr: peak {pk:g} MB, baseline {base:g} MB, accounted {acc:g} MB: {pk / acc:.2f}x, "
                  f"{(pk - base) / acc:.2f}x; private {anon:g} MB: {anon / acc:.2f}x")


if __name__ == '__main__':
    main(sys.argv[1])
