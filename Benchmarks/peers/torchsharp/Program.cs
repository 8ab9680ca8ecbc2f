// TorchSharp (LibTorch CPU) peer for the benchmark workloads in docs/workloads.md; mirrors ../torch_train.py and ../torch_infer.py.
// usage: dotnet run -c Release -- {w1|w2|w3|w5|w6|w7|sweep|w4} THREADS [--warmup 5] [--steps 30] [--seconds S] [--seq-length T] [--hidden H]
// (From shared/bench/peers/torchsharp/Program.cs; W6, W7 and the sweep added in this repository, as in ../torch_train.py.)
using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

const string System_ = "torchsharp-0.107-libtorch-2.10";
string wl = args[0]; int threads = int.Parse(args[1]);
int warmup = Opt("--warmup", 5), steps = Opt("--steps", 30);
// --seconds S: stop timing once S seconds of timed steps have passed, after at least 5 steps (n= says how many).
int ki = Array.IndexOf(args, "--seconds"); double seconds = ki >= 0 ? double.Parse(args[ki + 1], System.Globalization.CultureInfo.InvariantCulture) : 0;
int seqOpt = Opt("--seq-length", 0), hiddenOpt = Opt("--hidden", 128);
string name = wl;
// Denormals: W1's gradients through 200 steps decay into the denormal range, which costs ~17x on Intel cores
// (PyTorch 1.13 W1 on an Intel Xeon: 13.9 seq/s as is, 231.5 with torch.set_flush_denormal). TorchSharp has no
// set_flush_denormal, so set MXCSR's FTZ and DAZ bits here, before LibTorch starts its threads (they inherit it).
// --denormals keeps the default (what a user gets without knowing this).
bool ftz = Array.IndexOf(args, "--denormals") < 0;
if (ftz) FlushDenormals();
torch.set_num_threads(threads); torch.set_num_interop_threads(1);
torch.manual_seed(0);
const int NB = 4;   // distinct pre-generated batches, cycled

if (wl == "w4") { Infer(); return; }

Action<int> step; string unit; int perStep;
var p = new List<TorchSharp.Modules.Parameter>();
if (wl == "w1" || wl == "w5") {
    const int B = 64, T = 200;
    var (emb, gru, fc) = SpamGru(p);
    var opt = optim.Adam(p, lr: 1e-3);
    var g = new Generator(7);
    var data = Enumerable.Range(0, NB).Select(_ => (
        ids: randint(0, 20000, new long[] { T, B }), lens: randint(20, T + 1, new long[] { B }, generator: g),
        y: randint(0, 2, new long[] { B }))).ToArray();
    unit = "train_seq_per_s"; perStep = B;
    step = i => {
        var (ids, lens, y) = data[i % NB];
        opt.zero_grad();
        Tensor h;
        if (wl == "w1") h = gru.forward(emb.call(ids)).Item2;
        else h = gru.call(nn.utils.rnn.pack_padded_sequence(emb.call(ids), lens, false, false), null).Item2;
        F.cross_entropy(fc.call(h[-1]), y).backward(); opt.step();
    };
} else if (wl == "w6") {   // 2-layer bidirectional LSTM(256), max-pool over time
    const int B = 32, T = 100;
    var emb = nn.Embedding(20000, 128); var lstm = nn.LSTM(128, 256, numLayers: 2, bidirectional: true); var fc = nn.Linear(512, 2);
    p.AddRange(emb.parameters()); p.AddRange(lstm.parameters()); p.AddRange(fc.parameters());
    var opt = optim.Adam(p, lr: 1e-3);
    var data = Enumerable.Range(0, NB).Select(_ => (ids: randint(0, 20000, new long[] { T, B }), y: randint(0, 2, new long[] { B }))).ToArray();
    unit = "train_seq_per_s"; perStep = B;
    step = i => {
        var (ids, y) = data[i % NB];
        opt.zero_grad();
        F.cross_entropy(fc.call(lstm.forward(emb.call(ids)).Item1.max(0).values), y).backward(); opt.step();
    };
} else if (wl == "w7" || wl == "sweep") {
    // W7: truncated BPTT in windows of 200 with the state carried (detached), loss per window on its last state, one
    // Adam step per window, a timed step = one whole sequence. Sweep: W1 with GRU(H) over T steps, tokens/s.
    bool w7 = wl == "w7";
    int B = w7 ? 16 : 64, T = seqOpt > 0 ? seqOpt : w7 ? 2000 : 200, H = w7 ? 128 : hiddenOpt, WIN = w7 ? 200 : T;
    if (T % WIN != 0) throw new ArgumentException("W7: --seq-length must be a multiple of 200");
    name = w7 ? (T == 2000 ? "w7" : $"w7-t{T}") : $"sweep-h{H}-t{T}";
    var emb = nn.Embedding(20000, 64); var gru = nn.GRU(64, H); var fc = nn.Linear(H, 2);
    p.AddRange(emb.parameters()); p.AddRange(gru.parameters()); p.AddRange(fc.parameters());
    var opt = optim.Adam(p, lr: 1e-3);
    var data = Enumerable.Range(0, NB).Select(_ => (ids: randint(0, 20000, new long[] { T, B }), y: randint(0, 2, new long[] { B }))).ToArray();
    unit = "train_tokens_per_s"; perStep = B * T;
    step = i => {
        var (ids, y) = data[i % NB];
        Tensor h = null;
        for (int w0 = 0; w0 < T; w0 += WIN) {
            using var windowScope = NewDisposeScope();   // per window: the window's tensors go here
            opt.zero_grad();
            var (_, hT) = gru.forward(emb.call(ids.narrow(0, w0, WIN)), h);
            F.cross_entropy(fc.call(hT[-1]), y).backward(); opt.step();
            h?.Dispose();
            h = hT.detach().MoveToOuterDisposeScope();
        }
        h?.Dispose();
    };
} else if (wl == "w2") {
    const int B = 100, T = 28;
    var lstm = nn.LSTM(28, 128); var fc = nn.Linear(128, 10);
    p.AddRange(lstm.parameters()); p.AddRange(fc.parameters());
    var opt = optim.Adam(p, lr: 1e-3);
    var data = Enumerable.Range(0, NB).Select(_ => (x: rand(T, B, 28), y: randint(0, 10, new long[] { B }))).ToArray();
    unit = "train_samples_per_s"; perStep = B;
    step = i => {
        var (x, y) = data[i % NB];
        opt.zero_grad();
        F.cross_entropy(fc.call(lstm.forward(x).Item2[-1]), y).backward(); opt.step();
    };
} else if (wl == "w3") {
    const int B = 32, T = 35, V = 28;
    var gru = nn.GRU(28, 256); var fc = nn.Linear(256, 28);
    p.AddRange(gru.parameters()); p.AddRange(fc.parameters());
    var opt = optim.SGD(p, 1.0);
    var data = Enumerable.Range(0, NB).Select(_ => (
        x: F.one_hot(randint(0, V, new long[] { T, B }), V).to(float32), y: randint(0, V, new long[] { T, B }))).ToArray();
    unit = "train_tokens_per_s"; perStep = B * T;
    step = i => {
        var (x, y) = data[i % NB];
        opt.zero_grad();
        F.cross_entropy(fc.call(gru.forward(x).Item1).reshape(-1, V), y.reshape(-1)).backward();
        nn.utils.clip_grad_norm_(p, 1.0); opt.step();
    };
} else throw new ArgumentException($"unknown workload {wl}");

for (int i = 0; i < warmup; i++) { using var _ = NewDisposeScope(); step(i); }
var ts = new List<double>();
for (int i = 0; i < steps && !(seconds > 0 && i >= 5 && ts.Sum() >= seconds); i++) {
    using var _ = NewDisposeScope();
    long t0 = Stopwatch.GetTimestamp(); step(i); ts.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
}
double med = Median(ts);
Console.WriteLine($"{name} {System_} {threads} {unit} {perStep / med:F1}  # step_ms med={med * 1e3:F2} min={ts.Min() * 1e3:F2} max={ts.Max() * 1e3:F2} n={ts.Count} torch_threads={torch.get_num_threads()} ftz={(ftz ? 1 : 0)}");

void Infer() {   // W4: the W1 model, forward only, inference mode
    var (emb, gru, fc) = SpamGru(new List<TorchSharp.Modules.Parameter>());
    emb.eval(); gru.eval(); fc.eval();
    var g = new Generator(1);
    List<double> Bench(int B, int warm, int reps) {
        var xs = Enumerable.Range(0, NB).Select(_ => randint(0, 20000, new long[] { 200, B }, generator: g)).ToArray();
        var r = new List<double>();
        using var _ = inference_mode();
        for (int i = 0; i < warm + reps; i++) {
            using var s = NewDisposeScope();
            long t0 = Stopwatch.GetTimestamp(); fc.call(gru.forward(emb.call(xs[i % NB])).Item2[-1]);
            if (i >= warm) r.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
        }
        return r;
    }
    var t1 = Bench(1, 30, 300);
    Console.WriteLine($"w4-b1 {System_} {threads} latency_ms {Median(t1) * 1e3:F3}  # min={t1.Min() * 1e3:F3} n=300");
    var t2 = Bench(256, 3, 25);
    Console.WriteLine($"w4-b256 {System_} {threads} infer_seq_per_s {256 / Median(t2):F1}  # call_ms med={Median(t2) * 1e3:F2} n=25");
}

static (nn.Module<Tensor, Tensor>, TorchSharp.Modules.GRU, nn.Module<Tensor, Tensor>) SpamGru(List<TorchSharp.Modules.Parameter> p) {
    var emb = nn.Embedding(20000, 64); var gru = nn.GRU(64, 128); var fc = nn.Linear(128, 2);
    p.AddRange(emb.parameters()); p.AddRange(gru.parameters()); p.AddRange(fc.parameters());
    return (emb, gru, fc);
}
static void FlushDenormals() {   // glibc x86-64 fenv_t: 32 bytes, MXCSR at offset 28; FTZ = bit 15, DAZ = bit 6
    var env = new byte[32];
    if (Libc.fegetenv(env) != 0) throw new InvalidOperationException("fegetenv failed");
    BitConverter.TryWriteBytes(env.AsSpan(28), BitConverter.ToUInt32(env, 28) | 0x8040u);
    if (Libc.fesetenv(env) != 0) throw new InvalidOperationException("fesetenv failed");
}
static double Median(List<double> v) { var s = v.OrderBy(x => x).ToArray(); int n = s.Length; return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; }
int Opt(string name, int def) { int k = Array.IndexOf(args, name); return k >= 0 ? int.Parse(args[k + 1]) : def; }

static class Libc {   // fegetenv/fesetenv live in libm
    [System.Runtime.InteropServices.DllImport("libm.so.6")] public static extern int fegetenv(byte[] env);
    [System.Runtime.InteropServices.DllImport("libm.so.6")] public static extern int fesetenv(byte[] env);
}
