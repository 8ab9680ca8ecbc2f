using MlNetRnn.Featurization;
using MlNetRnn.Kernels;
using MlNetRnn.Network;

namespace MlNetRnn.OnnxExport.Import;

/// <summary>
/// Turns an <see cref="ImportedGraph"/> and what the user says about it (<see cref="OnnxImportOptions"/>) into a
/// trainable <see cref="SequenceModel"/>: the task, labels and vocabulary, a spec that the model's own options
/// rebuild (so that SequenceModelEstimator.Fit(start: model, ...) fine-tunes it), and the weights copied as they are
/// (ONNX layout and gate order on both sides).
/// </summary>
internal static class ImportedModelBuilder
{
    public static SequenceModel Build(ImportedGraph graph, OnnxImportOptions options, string origin)
    {
        var bottom = graph.Layers[0].Descriptor;
        foreach (var layer in graph.Layers.Skip(1))
            CheckSameKind(graph.Layers[0], layer, origin);
        var task = Task(graph, options, origin);
        var labels = Labels(graph, task, options);
        var tokens = graph.InputKind == SequenceInputKind.Tokens;
        var featurizer = tokens ? Featurizer(graph, options) : null;
        if (task == SequenceTask.LanguageModel && featurizer is null)
            throw new ArgumentException("A language model reads text: give OnnxImportOptions.Vocabulary, the token of every embedding row in id order.", nameof(options));
        if (!tokens && options.InputWidth != 0 && options.InputWidth != graph.InputWidth)
            throw new ArgumentException($"OnnxImportOptions.InputWidth is {options.InputWidth}; the graph reads {graph.InputWidth} features per step.", nameof(options));
        if (tokens && options.VocabularySize != 0 && options.VocabularySize != graph.InputWidth)
            throw new ArgumentException($"OnnxImportOptions.VocabularySize is {options.VocabularySize}; the graph's embedding has {graph.InputWidth} rows.", nameof(options));

        var defaults = new SequenceModelOptions();
        var modelOptions = new SequenceModelOptions
        {
            Task = task,
            PositiveLabel = task == SequenceTask.BinaryClassification ? labels[1] : defaults.PositiveLabel,
            ClassLabels = task is SequenceTask.MulticlassClassification or SequenceTask.Tagging ? labels : null,
            Text = featurizer?.Options ?? defaults.Text,
            VocabularySize = tokens && featurizer is null ? graph.InputWidth : 0,
            EmbeddingSize = tokens ? graph.EmbeddingSize : defaults.EmbeddingSize,
            Cell = bottom.Cell,
            HiddenSize = bottom.HiddenSize,
            Layers = graph.Layers.Count,
            Bidirectional = bottom.Direction == RecurrentDirection.Bidirectional,
            LinearBeforeReset = bottom.Cell == RecurrentCell.Gru ? bottom.LinearBeforeReset : defaults.LinearBeforeReset,
            Peepholes = graph.Layers[0].P is not null,
            RnnActivation = bottom.Cell == RecurrentCell.Rnn ? bottom.Activations[0].Kind : defaults.RnnActivation,
            ReadOut = graph.ReadOut,
        };
        var spec = new SequenceNetworkSpec
        {
            Task = task,
            InputKind = graph.InputKind,
            InputWidth = graph.InputWidth,
            EmbeddingSize = modelOptions.EmbeddingSize,
            Cell = modelOptions.Cell,
            HiddenSize = modelOptions.HiddenSize,
            Layers = modelOptions.Layers,
            Bidirectional = modelOptions.Bidirectional,
            LinearBeforeReset = modelOptions.LinearBeforeReset,
            Peepholes = modelOptions.Peepholes,
            RnnActivation = modelOptions.RnnActivation,
            ReadOut = graph.ReadOut,
            OutputSize = graph.OutputSize,
        };
        try
        {
            spec.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ModelFileException(origin, null, $"holds a network that is not one MlNetRnn builds: {e.Message}", e);
        }
        var schema = new SequenceModelSchema
        {
            Task = task,
            Input = featurizer is not null ? SequenceInputKindOfData.Text : tokens ? SequenceInputKindOfData.TokenIds : SequenceInputKindOfData.Dense,
            FeatureWidth = tokens ? 0 : graph.InputWidth,
            VocabularySize = tokens ? graph.InputWidth : 0,
            Featurizer = featurizer,
            Labels = labels,
            ValueCount = task == SequenceTask.Regression ? graph.OutputSize : 0,
            ValuesPerStep = task == SequenceTask.Regression && graph.PerStep,
        };

        var parameters = new ParameterSet(SequenceNetwork.Layout(spec));
        if (tokens)
            graph.Embedding.CopyTo(parameters[SequenceNetwork.EmbeddingName].Values);
        for (var l = 0; l < graph.Layers.Count; l++)
        {
            graph.Layers[l].W.CopyTo(parameters[SequenceNetwork.WeightName(l)].Values);
            graph.Layers[l].R.CopyTo(parameters[SequenceNetwork.RecurrenceName(l)].Values);
            graph.Layers[l].B.CopyTo(parameters[SequenceNetwork.BiasName(l)].Values);
            graph.Layers[l].P?.CopyTo(parameters[SequenceNetwork.PeepholeName(l)].Values);
        }
        graph.HeadWeight.CopyTo(parameters[SequenceNetwork.HeadWeightName].Values);
        graph.HeadBias.CopyTo(parameters[SequenceNetwork.HeadBiasName].Values);
        return new SequenceModel(schema, spec, parameters, modelOptions);
    }

    private static void CheckSameKind(ImportedLayer bottom, ImportedLayer layer, string origin)
    {
        var (a, b) = (bottom.Descriptor, layer.Descriptor);
        string? difference =
            a.Cell != b.Cell ? $"is a {b.Cell} layer above a {a.Cell} layer" :
            a.HiddenSize != b.HiddenSize ? $"has hidden_size {b.HiddenSize} where the bottom layer has {a.HiddenSize}" :
            a.Direction != b.Direction ? $"runs {b.Direction} where the bottom layer runs {a.Direction}" :
            a.LinearBeforeReset != b.LinearBeforeReset ? $"has linear_before_reset={(b.LinearBeforeReset ? 1 : 0)} where the bottom layer has {(a.LinearBeforeReset ? 1 : 0)}" :
            (bottom.P is null) != (layer.P is null) ? (layer.P is null ? "has no peepholes where the bottom layer has them" : "has peepholes where the bottom layer has none") :
            !a.Activations.SequenceEqual(b.Activations) ? $"has activations {string.Join(", ", b.Activations.Select(x => x.OnnxName))} where the bottom layer has {string.Join(", ", a.Activations.Select(x => x.OnnxName))}" :
            null;
        if (difference is not null)
            throw new ModelFileException(origin, layer.Node.Name, $"{layer.Describe()} {difference} ({bottom.Describe()}); MlNetRnn's stacked layers share one cell, hidden size, direction, GRU variant, peephole setting and activation.");
    }

    /// <summary>The task the output activation implies, or the one the options declare where it allows it.</summary>
    private static SequenceTask Task(ImportedGraph graph, OnnxImportOptions options, string origin)
    {
        var (K, perStep, activation) = (graph.OutputSize, graph.PerStep, graph.Activation);
        var at = $"{activation} node";
        if (activation == OutputActivation.Sigmoid && K != 1)
            throw new ModelFileException(origin, graph.ActivationNode, $"{at}: a sigmoid over {K} outputs gives independent probabilities (multi-label), which no MlNetRnn task predicts; binary classification has one output.");
        if (activation == OutputActivation.Sigmoid && perStep)
            throw new ModelFileException(origin, graph.ActivationNode, $"{at}: a sigmoid at every step (binary tagging) is not an MlNetRnn task; tagging is a softmax over the tags.");
        if (activation is OutputActivation.Softmax or OutputActivation.LogSoftmax && K < 2)
            throw new ModelFileException(origin, graph.ActivationNode, $"{at}: a softmax over one output is always 1.");
        var inferred = activation switch
        {
            OutputActivation.Sigmoid => SequenceTask.BinaryClassification,
            OutputActivation.None => SequenceTask.Regression,
            _ => perStep ? SequenceTask.Tagging : SequenceTask.MulticlassClassification,
        };
        if (options.Task is not { } asked || asked == inferred)
            return inferred;
        var tokensOverVocabulary = graph.InputKind == SequenceInputKind.Tokens && K == graph.InputWidth;
        var allowed = asked switch
        {
            SequenceTask.BinaryClassification => activation == OutputActivation.None && K == 1 && !perStep,
            SequenceTask.MulticlassClassification => activation == OutputActivation.None && K >= 2 && !perStep,
            SequenceTask.Tagging => activation == OutputActivation.None && K >= 2 && perStep,
            SequenceTask.LanguageModel => activation != OutputActivation.Sigmoid && perStep && tokensOverVocabulary,
            _ => false,
        };
        if (!allowed)
            throw new ArgumentException($"OnnxImportOptions.Task is {asked}, but the graph computes {K} output(s) {(perStep ? "at every step" : "per sequence")} " +
                $"{(activation == OutputActivation.None ? "without an output activation" : $"through {activation} (node '{graph.ActivationNode}')")}" +
                $"{(asked == SequenceTask.LanguageModel ? $" from {(graph.InputKind == SequenceInputKind.Tokens ? $"{graph.InputWidth} token ids" : "features")}" : "")}, which is {inferred}.", nameof(options));
        return asked;
    }

    private static IReadOnlyList<string> Labels(ImportedGraph graph, SequenceTask task, OnnxImportOptions options)
    {
        var expected = task switch
        {
            SequenceTask.BinaryClassification => 2,
            SequenceTask.MulticlassClassification or SequenceTask.Tagging => graph.OutputSize,
            _ => 0,
        };
        if (options.Labels is not { } labels)
        {
            return task == SequenceTask.BinaryClassification
                ? [SequenceData.BinaryLabel(false), SequenceData.BinaryLabel(true)]
                : Enumerable.Range(0, expected).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
        if (expected == 0)
            throw new ArgumentException($"OnnxImportOptions.Labels is set, but a {task} model has no labels.", nameof(options));
        if (labels.Count != expected || labels.Any(l => l is null) || labels.Distinct(StringComparer.Ordinal).Count() != labels.Count)
            throw new ArgumentException($"OnnxImportOptions.Labels must hold {expected} distinct labels ({(task == SequenceTask.BinaryClassification ? "the negative class, then the positive" : "one per output, in output order")}), got {labels.Count}: {string.Join(", ", labels)}.", nameof(options));
        return [.. labels];
    }

    private static TextFeaturizer? Featurizer(ImportedGraph graph, OnnxImportOptions options)
    {
        if (options.Vocabulary is not { } tokens)
        {
            if (options.Text is not null)
                throw new ArgumentException("OnnxImportOptions.Text needs a Vocabulary to go with it.", nameof(options));
            return null;
        }
        if (tokens.Count != graph.InputWidth)
            throw new ArgumentException($"OnnxImportOptions.Vocabulary has {tokens.Count} tokens; the graph's embedding has {graph.InputWidth} rows, one per token id.", nameof(options));
        Vocabulary vocabulary;
        try
        {
            vocabulary = new Vocabulary(tokens);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"OnnxImportOptions.Vocabulary: {e.Message} Without it the model reads token ids (leave Vocabulary null).", nameof(options), e);
        }
        return new TextFeaturizer(options.Text ?? new TextFeaturizerOptions { MaxLength = 0 }, vocabulary);
    }
}
