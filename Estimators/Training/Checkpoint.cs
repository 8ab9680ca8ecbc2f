using System.IO.Compression;
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
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            model.WriteEntries(zip);
            var buffers = optimizer.State;
            ModelArchive.WriteJson(zip, StateEntry, state with { OptimizerBuffers = [.. buffers.Keys], HasBest = bestValues is not null });
            foreach (var (name, values) in buffers)
                ModelArchive.WriteFloats(zip, $"optimizer.{name}.bin", values);
            if (bestValues is not null)
                ModelArchive.WriteFloats(zip, BestEntry, bestValues);
        });

    public static Checkpoint Load(string path)
    {
        using var zip = ModelArchive.OpenRead(path, out var file);
        using (file)
        {
            var model = SequenceModel.ReadEntries(zip, path);
            var state = ModelArchive.ReadJson<CheckpointState>(zip, StateEntry, path);
            var count = model.Parameters.Count;
            var buffers = state.OptimizerBuffers.ToDictionary(n => n, n => ModelArchive.ReadFloats(zip, $"optimizer.{n}.bin", count, path));
            var best = state.HasBest ? ModelArchive.ReadFloats(zip, BestEntry, count, path) : null;
            return new Checkpoint(model, state, buffers, best);
        }
    }
}

/// <summary>The training loop's state at the end of an epoch.</summary>
internal sealed record CheckpointState
{
    public int CompletedEpochs { get; init; }

    public ulong[] RandomState { get; init; } = [];

    public OptimizerKind OptimizerKind { get; init; }

    public long OptimizerSteps { get; init; }

    public List<string> OptimizerBuffers { get; init; } = [];

    public double? BestLoss { get; init; }

    public int BestEpoch { get; init; }

    public int EpochsWithoutImprovement { get; init; }

    public bool HasBest { get; init; }

    /// <summary>Early stopping ended the run; resuming returns the finished model.</summary>
    public bool Stopped { get; init; }

    /// <summary>The ReduceOnPlateau schedule's watch (best loss, bad epochs, cooldown, reductions).</summary>
    public PlateauState Plateau { get; init; } = new();
}
