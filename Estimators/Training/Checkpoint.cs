using MlNetRnn.Persistence;
using MlNetRnn.Training.Optimizers;

namespace MlNetRnn.Training;

/// <summary>
/// Everything needed to continue training exactly where it stopped: the model (weights, schema, options, history),
/// the optimizer's state and step count, the loop's random state, the epoch, early-stopping bookkeeping with the best
/// weights, and the learning-rate schedule's plateau watch. Written atomically after every epoch, so a crash leaves the
/// previous complete checkpoint.
/// </summary>
internal sealed class Checkpoint
{
    private const string StateEntry = "checkpoint.json";
    private const string BestEntry = "best.bin";

    private Checkpoint(SequenceModel model, CheckpointState state, IReadOnlyDictionary<string, float[]> optimizerState, float[]? bestValues)
    {
        Model = model;
        State = state;
        OptimizerState = optimizerState;
        BestValues = bestValues;
    }

    public SequenceModel Model { get; }

    public CheckpointState State { get; }

    public IReadOnlyDictionary<string, float[]> OptimizerState { get; }

    public float[]? BestValues { get; }

    public static void Save(string path, SequenceModel model, IOptimizer optimizer, CheckpointState state, float[]? bestValues) =>
        AtomicFile.Write(path, stream =>
        {
            using var archive = new ModelArchiveWriter(stream);
            model.WriteEntries(archive);
            var buffers = optimizer.State;
            archive.WriteJson(StateEntry, state with { OptimizerBuffers = [.. buffers.Keys], HasBest = bestValues is not null });
            foreach (var (name, values) in buffers)
                archive.WriteFloats(BufferEntry(name), values);
            if (bestValues is not null)
                archive.WriteFloats(BestEntry, bestValues);
            archive.Complete();
        });

    /// <summary>
    /// Reads a checkpoint, verifying it as <see cref="SequenceModel.Load(string)"/> verifies a model, and its loop
    /// state against the model: counters within the run's epochs, the optimizer buffers the options imply, early
    /// stopping fields consistent with each other; optimizer and best-weight buffers must be finite. A damaged
    /// checkpoint is refused with a <see cref="ModelFileException"/>.
    /// </summary>
    public static Checkpoint Load(string path)
    {
        using var archive = ModelArchiveReader.Open(path);
        var model = SequenceModel.ReadEntries(archive);
        var state = archive.ReadJson<CheckpointState>(StateEntry, SequenceModelLimits.MaxStateDocumentBytes);
        state.Validate(model, ExpectedBuffers(model.Options), problem => archive.Error(StateEntry, problem));
        var count = model.Parameters.Count;
        var entries = state.OptimizerBuffers.Select(BufferEntry).Concat(state.HasBest ? [BestEntry] : []).ToList();
        foreach (var entry in entries)
            archive.ExpectFloats(entry, count);
        var read = entries.ToDictionary(e => e, e =>
        {
            var values = new float[count];
            archive.ReadFloats(e, values);
            archive.RequireFinite(e, values, model.Parameters.Tensors);
            if (e == BufferEntry(AdamSecondMoment) && Array.FindIndex(values, v => v < 0f) is var negative and >= 0)
                throw archive.Error(e, $"holds {values[negative]} at {negative}; Adam's second moment is a mean of squares, never negative.");
            return values;
        });
        var buffers = state.OptimizerBuffers.ToDictionary(n => n, n => read[BufferEntry(n)]);
        return new Checkpoint(model, state, buffers, state.HasBest ? read[BestEntry] : null);
    }

    private const string AdamSecondMoment = "v";

    private static string BufferEntry(string name) => $"optimizer.{name}.bin";

    /// <summary>The state buffers the optimizer of these options keeps (see the optimizers' State).</summary>
    private static HashSet<string> ExpectedBuffers(SequenceModelOptions options)
    {
        HashSet<string> names = options.Optimizer == OptimizerKind.Adam ? ["m", AdamSecondMoment] : options.Momentum > 0f ? ["velocity"] : [];
        if (options.WeightAverageDecay > 0f)
            names.Add("average");
        return names;
    }
}
