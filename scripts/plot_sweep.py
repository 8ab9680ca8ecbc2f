#!/usr/bin/python3
"""Draws the cost sweep (scripts/bench-sweep.sh): training GFLOP/s against the hidden size H (T 100) beside the best
SGEMM rate, and microseconds per token against the sequence length T (H 128), at each thread count, per system.

usage: /usr/bin/python3 scripts/plot_sweep.py docs/speed-sweep.txt docs/speed-sweep.png
Lines: "sweep-h<H>-t<T> <system> <threads> train_tokens_per_s <value>" and "sgemm-<n> <system> <threads> GFLOP/s <v>".
Where a point was measured more than once, the median is drawn. A point during which other processes used more than
20% of the cores (measured.py's others=) is drawn hollow: on a shared 2-core machine its 2-thread figure is not the
system's 2-core speed.
"""
import collections, re, statistics, sys
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt

NAMES = (('mlnetrnn', 'MlNetRnn'), ('torchsharp', 'LibTorch 2.10'), ('onednn', 'oneDNN 2.6 RNN'))
COLORS = {'MlNetRnn': 'tab:blue', 'LibTorch 2.10': 'tab:red', 'oneDNN 2.6 RNN': 'tab:green'}


def label(system):
    return next((n for p, n in NAMES if system.startswith(p)), None)


def main(src, png):
    pts = collections.defaultdict(list)   # (name, threads, H, T) -> tokens/s
    loaded = collections.defaultdict(list)   # the same key -> others= above 20%
    sgemm = collections.defaultdict(list)
    for line in open(src):
        if line.startswith('#') or not line.strip():
            continue
        p = line.split('#')[0].split()
        if len(p) < 5:
            continue
        m = re.fullmatch(r'sweep-h(\d+)-t(\d+)', p[0])
        if m and label(p[1]):
            key = (label(p[1]), int(p[2]), int(m.group(1)), int(m.group(2)))
            pts[key].append(float(p[4]))
            o = re.search(r'others=([\d.]+)%', line)
            loaded[key].append(bool(o) and float(o.group(1)) > 20)
        elif p[0].startswith('sgemm'):
            sgemm[int(p[2])].append(float(p[4]))
    med = {k: statistics.median(v) for k, v in pts.items()}
    threads = sorted({k[1] for k in med})
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.8))
    styles = {1: '-', 2: '--'}

    def hollow(ax, xs, ys, keys, color):   # points taken while other processes used > 20% of the cores
        pts_ = [(x, y) for x, y, k in zip(xs, ys, keys) if any(loaded[k])]
        if pts_:
            ax.scatter([x for x, _ in pts_], [y for _, y in pts_], s=40, facecolors='white', edgecolors=color, zorder=3)
    for name in [n for _, n in NAMES]:
        for t in threads:
            hs = sorted((h, v) for (n, t2, h, T), v in med.items() if n == name and t2 == t and T == 100)
            if hs:
                xs, ys = [h for h, _ in hs], [v * 3 * 6 * h * (64 + h) / 1e9 for h, v in hs]
                a.plot(xs, ys, styles.get(t, ':'), marker='o', color=COLORS[name], label=f'{name}, {t} thr')
                hollow(a, xs, ys, [(name, t, h, 100) for h in xs], COLORS[name])
            ts = sorted((T, v) for (n, t2, h, T), v in med.items() if n == name and t2 == t and h == 128)
            if ts:
                xs, ys = [T for T, _ in ts], [1e6 / v for _, v in ts]
                b.plot(xs, ys, styles.get(t, ':'), marker='o', color=COLORS[name], label=f'{name}, {t} thr')
                hollow(b, xs, ys, [(name, t, 128, T) for T in xs], COLORS[name])
    for t, v in sorted(sgemm.items()):
        a.axhline(max(v), color='gray', linestyle=styles.get(t, ':'), linewidth=1, label=f'best SGEMM 2048³, {t} thr')
    a.set_xscale('log', base=2); a.set_xlabel('hidden size H (T 100, batch 64)'); a.set_ylabel('training GFLOP/s (3·6·H·(64+H) per token)')
    a.set_title('Throughput against H'); a.grid(alpha=0.3); a.legend(fontsize=7)
    b.set_xscale('log'); b.set_xlabel('sequence length T (H 128, batch 64)'); b.set_ylabel('microseconds per token (training)')
    b.set_title('Cost per token against T'); b.grid(alpha=0.3); b.legend(fontsize=7); b.set_ylim(bottom=0)
    fig.suptitle('GRU training cost sweep (scripts/bench-sweep.sh); hollow: other processes used > 20% of the cores meanwhile', fontsize=10)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    print(f'wrote {png}')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
