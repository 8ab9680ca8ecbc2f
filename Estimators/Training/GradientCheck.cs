using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Training;

namespace MlNetRnn;

/// <summary>
/// Checks the analytic gradient of the training loss, for your own configuration and a small sample of your data,
/// against central differences: the test the library's own gradient tests run, as a tool for a new configuration or
/// a new kernel. It builds the network the options describe (vocabulary, labels, weights initialised from the seed)
/// or takes a model's weights, runs the loss (and L2 penalty) and its backward once on one batch, then moves a
/// sample of each parameter tensor's entries and compares the central difference D(h) = (L(w + h) - L(w - h)) / 2h,
/// extrapolated as (4 D(h/2) - D(h)) / 3 (Richardson: the h^2 error term cancels), computed in double from the
/// network's float32 losses, with the analytic gradient. Expect relative errors around 1e-4 to 1e-3; a wrong gradient
/// shows as 1e-1 or more in the tensor it reaches first.
/// <code>
/// var report = GradientCheck.Run(options with { Epochs = 1 }, trainingData);
/// Console.WriteLine(report);                  // one line per tensor: worst relative error, where, both gradients
/// if (!report.Passed) ...
/// </code>
/// Dropout keeps the same masks in every evaluation, and a max-pool read-out the winning step of each maximum (the
/// smooth piece the gradient belongs to; a difference across a change of winner would measure a kink). With
/// TruncatedBpttSteps, each window is checked with the state (and pool) carried into it held fixed, which is the
/// truncated gradient training uses.
/// </summary>
public static class GradientCheck
{
    /// <summary>Checks the untrained network <paramref name="options"/> describes for <paramref name="data"/> (which
    /// fixes the vocabulary, labels and sizes), on its first <see cref="GradientCheckOptions.MaxSequences"/> sequences.</summary>
    public static GradientCheckReport Run(SequenceModelOptions options, SequenceData data, GradientCheckOptions? check = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        options.Validate();
        using var model = new SequenceTrainer(options, progress: null, CancellationToken.None).CreateModel(data);
        return Run(model, data, check);
    }

    /// <summary>Checks at a model's weights (the model is not changed), with the loss and L2 of its options.</summary>
    public static GradientCheckReport Run(SequenceModel model, SequenceData data, GradientCheckOptions? check = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        check ??= new GradientCheckOptions();
        check.Validate();
        var o = model.Options;
        var spec = model.Spec;
        var parameters = new ParameterSet(SequenceNetwork.Layout(spec));
        parameters.CopyValuesFrom(model.Parameters);
        var owned = check.Kernel is null ? KernelFactory.Create(o.Kernel, 1) : null;
        var kernel = check.Kernel ?? owned!;
        try
        {
            var network = new SequenceNetwork(spec, kernel, parameters);
            var batch = Batch(model, data, check.MaxSequences);
            var windows = o.TruncatedBpttSteps > 0 && spec.Task != SequenceTask.LanguageModel
                ? Enumerable.Range(0, TruncatedBptt.Windows(batch.SeqLength, o.TruncatedBpttSteps))
                    .Select(w => TruncatedBptt.Window(batch, o.TruncatedBpttSteps, w, spec.PerStep)).ToArray()
                : [batch];
            var worst = parameters.Tensors.ToDictionary(t => t.Name, t => new TensorGradientCheck(t.Name, t.Shape, 0, 0, 0, 0, 0));
            var entries = Entries(parameters, spec, batch, check);
            var loss = model.CreateLoss();
            var pooled = spec.ReadOut is ReadOutKind.MaxPool or ReadOutKind.MeanPool;
            RecurrentState[]? states = null;
            PooledReadOut? pool = null;
            for (var w = 0; w < windows.Length; w++)
            {
                var window = windows[w];
                var dropout = (ulong)check.Seed * 0x9E3779B97F4A7C15UL + (ulong)w;
                network.InitialStates = states;
                network.InitialPool = pool;
                parameters.ZeroGradients();
                var outputs = network.Forward(window, training: true, new SeededRandom(dropout));
                var doutputs = new float[outputs.Length];
                var value = loss.Compute(outputs, window, doutputs);
                if (!double.IsFinite(value.Sum))
                    throw new ArgumentException($"The loss is {value.Mean} at these weights; a gradient check needs a finite loss.", nameof(data));
                // What the next window starts from, taken at the unperturbed weights and held fixed while checking.
                var nextStates = network.FinalStates();
                var nextPool = pooled ? network.FinalPool() : null;
                if (value.Weight > 0)
                {
                    network.Backward(window, doutputs);
                    var analytic = parameters.Gradients.ToArray();
                    // The loss with entry `index` moved to `at`, plus that entry's L2 penalty (L2/2) w^2 (the others' is constant).
                    double Objective(int index, float at)
                    {
                        var saved = parameters.Values[index];
                        parameters.Values[index] = at;
                        var output = network.Forward(window, training: true, new SeededRandom(dropout));
                        parameters.Values[index] = saved;
                        return loss.Compute(output, window, new float[output.Length]).Mean + 0.5 * o.L2 * ((double)at * at);
                    }
                    double Central(int index, float h)
                    {
                        var w = parameters.Values[index];
                        float plus = w + h, minus = w - h;
                        return (Objective(index, plus) - Objective(index, minus)) / ((double)plus - minus);
                    }
                    network.FreezeMaxPool = true;
                    foreach (var tensor in parameters.Tensors)
                    {
                        foreach (var i in entries[tensor.Name])
                        {
                            var index = tensor.Offset + i;
                            var h = check.Step * Math.Max(1f, Math.Abs(parameters.Values[index]));
                            var numeric = (4 * Central(index, h / 2) - Central(index, h)) / 3;
                            var a = analytic[index] + (double)o.L2 * parameters.Values[index];
                            var error = Math.Abs(a - numeric) / Math.Max(Math.Max(Math.Abs(a), Math.Abs(numeric)), check.Floor);
                            var current = worst[tensor.Name];
                            worst[tensor.Name] = error > current.RelativeError || current.Checked == 0
                                ? current with { Checked = current.Checked + 1, WorstIndex = i, Analytic = a, Numeric = numeric, RelativeError = error }
                                : current with { Checked = current.Checked + 1 };
                        }
                    }
                    network.FreezeMaxPool = false;
                }
                states = nextStates;
                pool = nextPool;
            }
            var description = $"{(spec.Bidirectional ? "bidirectional " : "")}{spec.Cell}({spec.HiddenSize}) x {spec.Layers}" +
                $"{(spec.Peepholes ? " with peepholes" : "")}, {spec.ReadOut}, {spec.Task} on the {kernel.GetType().Name}, " +
                $"{batch.Batch} sequences of up to {batch.SeqLength} steps" + (windows.Length > 1 ? $" in {windows.Length} windows" : "");
            return new GradientCheckReport(parameters.Tensors.Select(t => worst[t.Name]).ToArray(), check.Tolerance, description);
        }
        finally
        {
            (owned as IDisposable)?.Dispose();
        }
    }

    // One batch: the first sequences, or a language model's first window of as many streams (at most 16 steps).
    private static SequenceBatch Batch(SequenceModel model, SequenceData data, int sequences)
    {
        if (model.Task == SequenceTask.LanguageModel)
            return LanguageModelStream.Window(model.Encoder.EncodeStream(data), sequences, Math.Min(model.Options.BpttLength, 16), 0);
        var sample = data.Count <= sequences ? data : data.Subset(Enumerable.Range(0, sequences).ToArray());
        var encoded = model.Encoder.Encode(sample, requireTargets: true);
        return SequenceBatcher.Gather(encoded, Enumerable.Range(0, encoded.Count).ToArray());
    }

    // A seeded sample of each tensor's entries; the embedding's from the rows of tokens the batch reads.
    private static Dictionary<string, int[]> Entries(ParameterSet parameters, SequenceNetworkSpec spec, SequenceBatch batch, GradientCheckOptions check)
    {
        var random = new SeededRandom((ulong)check.Seed);
        var entries = new Dictionary<string, int[]>();
        foreach (var tensor in parameters.Tensors)
        {
            int[] candidates;
            if (tensor.Name == SequenceNetwork.EmbeddingName)
            {
                var rows = new SortedSet<int>();
                for (var b = 0; b < batch.Batch; b++)
                    for (var t = 0; t < batch.Lengths[b]; t++)
                        rows.Add(batch.Tokens![t * batch.Batch + b]);
                candidates = rows.SelectMany(r => Enumerable.Range(r * spec.EmbeddingSize, spec.EmbeddingSize)).ToArray();
            }
            else
            {
                candidates = Enumerable.Range(0, tensor.Length).ToArray();
            }
            random.Shuffle(candidates);
            entries[tensor.Name] = candidates.Take(check.EntriesPerTensor).Order().ToArray();
        }
        return entries;
    }
}
