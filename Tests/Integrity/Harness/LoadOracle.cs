using System.Security.Cryptography;
using System.Text;
using MlNetRnn.Persistence;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Integrity;

/// <summary>How a fuzz case ended.</summary>
internal enum Outcome
{
    /// <summary>The reader threw <see cref="ModelFileException"/>.</summary>
    Refused,

    /// <summary>It loaded, and predicts (a checkpoint: and holds the state and buffers) bit for bit as the undamaged file.</summary>
    Identical,

    /// <summary>Only for JSON and float contents rewritten in a file without a manifest, with fresh zip CRCs: it loaded
    /// another valid model (a value within its range, e.g. a label renamed or a weight changed, which no reader can tell
    /// from a model trained so). It must be usable: finite weights and buffers, it predicts, and it saves and loads
    /// again to the same predictions. (A finite weight can still be large enough to overflow a prediction.)</summary>
    LoadedOther,

    /// <summary>Any other exception, a hang, too much memory, or a load that differs where it must not.</summary>
    Failed,
}

internal sealed record CaseResult(Outcome Outcome, string Detail, long AllocatedBytes, TimeSpan Elapsed);

/// <summary>
/// Runs one reader on one file and judges the result. The readers: <c>model-file</c> (SequenceModel.Load of a path),
/// <c>model-stream</c> (SequenceModel.Load of a stream) and <c>checkpoint-file</c> (the checkpoint loader of training).
/// The oracle: the library's <see cref="ModelFileException"/>, or a load whose fingerprint (predictions on a fixed
/// input, bit for bit; for a checkpoint also its loop state, optimizer buffers and best weights) equals the undamaged
/// file's; never another exception type, a case running past the timeout, or more than the memory bound allocated.
/// </summary>
internal static class LoadOracle
{
    public const string ModelFile = "model-file";
    public const string ModelStream = "model-stream";
    public const string CheckpointFile = "checkpoint-file";

    public static CaseResult Run(string reader, SeedFile seed, byte[] bytes, bool strict, string scratch, TimeSpan timeout, long memoryBound) =>
        Guard(() =>
        {
            using var loaded = Load(reader, bytes, seed.Input, scratch);
            return Judge(loaded, seed, strict, scratch);
        }, timeout, memoryBound);

    /// <summary>
    /// Runs one case on a thread of its own (16 MiB stack) under <paramref name="timeout"/>, and measures what it
    /// allocates on that thread (managed memory: ONNX Runtime's native buffers are not counted). A
    /// <see cref="ModelFileException"/> is <see cref="Outcome.Refused"/>; any other exception, a hang or more than
    /// <paramref name="memoryBound"/> bytes allocated is <see cref="Outcome.Failed"/>; else <paramref name="body"/>'s own verdict.
    /// </summary>
    public static CaseResult Guard(Func<(Outcome, string)> body, TimeSpan timeout, long memoryBound)
    {
        Outcome outcome = Outcome.Failed;
        var detail = "";
        long allocated = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var worker = new Thread(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                (outcome, detail) = body();
            }
            catch (ModelFileException e)
            {
                (outcome, detail) = (Outcome.Refused, e.Message);
            }
            catch (Exception e)
            {
                (outcome, detail) = (Outcome.Failed, $"{e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            finally
            {
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }
        }, maxStackSize: 16 << 20) { IsBackground = true };
        worker.Start();
        if (!worker.Join(timeout))
            return new CaseResult(Outcome.Failed, $"hang: still running after {timeout.TotalSeconds} s", -1, clock.Elapsed);
        if (allocated > memoryBound)
            return new CaseResult(Outcome.Failed, $"memory: {allocated} bytes allocated while reading, the bound is {memoryBound} ({outcome}: {Short(detail)})", allocated, clock.Elapsed);
        return new CaseResult(outcome, detail, allocated, clock.Elapsed);
    }

    /// <summary>Reads a file with a reader and takes its fingerprint; throws what the reader throws.</summary>
    public static Loaded Load(string reader, byte[] bytes, SequenceData input, string scratch)
    {
        switch (reader)
        {
            case ModelStream:
                return new Loaded(SequenceModel.Load(new MemoryStream(bytes, writable: false), "fuzz case"), null, input);
            case ModelFile:
            {
                var path = Path.Combine(scratch, "case.mlnr");
                File.WriteAllBytes(path, bytes);
                return new Loaded(SequenceModel.Load(path), null, input);
            }
            default:
            {
                var path = Path.Combine(scratch, "case.ckpt");
                File.WriteAllBytes(path, bytes);
                var checkpoint = Checkpoint.Load(path);
                return new Loaded(checkpoint.Model, checkpoint, input);
            }
        }
    }

    public static string ReaderOf(SeedKind kind, int turn) => kind == SeedKind.Checkpoint
        ? (turn % 3 == 0 ? ModelFile : CheckpointFile)
        : (turn % 2 == 0 ? ModelFile : ModelStream);

    private static (Outcome, string) Judge(Loaded loaded, SeedFile seed, bool strict, string scratch)
    {
        var expected = seed.Kind == SeedKind.Checkpoint && loaded.Checkpoint is null ? ModelPart(seed.Fingerprint) : seed.Fingerprint;
        if (loaded.Fingerprint == expected)
            return (Outcome.Identical, "");
        if (strict)
            return (Outcome.Failed, $"silent corruption: loaded, and differs from the undamaged file:\n{Difference(expected, loaded.Fingerprint)}");
        var unusable = loaded.Unusable(scratch);
        return unusable is null ? (Outcome.LoadedOther, Difference(expected, loaded.Fingerprint)) : (Outcome.Failed, $"loaded a model that is not usable: {unusable}");
    }

    private static string ModelPart(string fingerprint) => fingerprint.Split("\n--state--\n")[0];

    internal static string Difference(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var line = Enumerable.Range(0, Math.Min(a.Length, b.Length)).FirstOrDefault(i => a[i] != b[i], Math.Min(a.Length, b.Length));
        return $"line {line}: expected '{Short(line < a.Length ? a[line] : "(end)")}', got '{Short(line < b.Length ? b[line] : "(end)")}'";
    }

    private static string Short(string text) => text.Length > 300 ? text[..300] + "..." : text;

    /// <summary>A loaded model (or checkpoint) and what identifies its behaviour.</summary>
    internal sealed class Loaded : IDisposable
    {
        private readonly SequenceData _input;

        public Loaded(SequenceModel model, Checkpoint? checkpoint, SequenceData input)
        {
            Model = model;
            Checkpoint = checkpoint;
            _input = input;
            Fingerprint = checkpoint is null ? Predictions(model, input) : Predictions(model, input) + "\n--state--\n" + State(checkpoint);
        }

        public SequenceModel Model { get; }

        public Checkpoint? Checkpoint { get; }

        public string Fingerprint { get; }

        public void Dispose() => Model.Dispose();

        /// <summary>Null when the model is usable: finite weights and buffers, and it saves and loads again to the
        /// same predictions; else why not.</summary>
        public string? Unusable(string scratch)
        {
            if (Model.Parameters.Values.Any(v => !float.IsFinite(v)))
                return "non-finite weights";
            if (Checkpoint is not null && Checkpoint.OptimizerState.Values.Append(Checkpoint.BestValues ?? []).Any(b => b.Any(v => !float.IsFinite(v))))
                return "non-finite optimizer or best-weight buffers";
            var path = Path.Combine(scratch, "resaved.mlnr");
            Model.Save(path);
            using var again = SequenceModel.Load(path);
            return Predictions(again, _input) == Predictions(Model, _input) ? null : "saved and loaded again, it predicts otherwise";
        }

        internal static string Predictions(SequenceModel model, SequenceData input) => Predictions(model.Predict(input));

        /// <summary>The predictions' labels and the bits of every score, probability and value, a line each.</summary>
        internal static string Predictions(IEnumerable<SequencePrediction> predictions)
        {
            var text = new StringBuilder();
            foreach (var p in predictions)
            {
                text.Append(p.PredictedLabel).Append(' ').Append(Bits(p.Score));
                foreach (var v in (p.Probabilities ?? []).Concat(p.Values ?? []))
                    text.Append(' ').Append(Bits(v));
                if (p.StepLabels is not null)
                    text.Append(" [").AppendJoin(' ', p.StepLabels).Append(']');
                text.Append('\n');
            }
            return text.ToString();
        }

        private static string State(Checkpoint checkpoint)
        {
            var text = new StringBuilder(ModelArchive.Serialize(checkpoint.State)).Append('\n');
            foreach (var (name, values) in checkpoint.OptimizerState.OrderBy(p => p.Key, StringComparer.Ordinal))
                text.Append(name).Append(' ').Append(Hash(values)).Append('\n');
            text.Append("best ").Append(checkpoint.BestValues is null ? "none" : Hash(checkpoint.BestValues));
            return text.ToString();
        }

        private static string Bits(float value) => BitConverter.SingleToInt32Bits(value).ToString("x8");

        private static string Hash(float[] values) =>
            Convert.ToHexStringLower(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())));
    }
}
