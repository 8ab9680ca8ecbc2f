using MlNetRnn.Featurization;
using MlNetRnn.Network;

namespace MlNetRnn.Persistence;

internal sealed partial record ModelDocument
{
    /// <summary>The longest epoch a history may record (about 3,000 years); more is damage, and would overflow a
    /// <see cref="TimeSpan"/>.</summary>
    public const double MaxEpochSeconds = 1e11;

    /// <summary>
    /// Checks everything a model is built from against everything else it must agree with, before any of it is used:
    /// the format, the spec (enum values, sizes within <see cref="SequenceModelLimits"/>), the options, the parameter
    /// list against the spec's layout, the schema (task, input form, vocabulary and labels against the spec), and the
    /// history. Throws a <see cref="ModelFileException"/> naming the field, what it holds and what was expected.
    /// </summary>
    public void Validate(string path)
    {
        ModelFileException Bad(string problem, Exception? inner = null) => new(path, SequenceModel.ModelEntry, problem, inner);

        // A property missing from the JSON reads as null (init-only properties get no default), so every reference
        // this document needs is checked first.
        var missing = new (string Name, object? Value)[]
        {
            (nameof(Format), Format), (nameof(Spec), Spec), (nameof(Schema), Schema), (nameof(Options), Options),
            (nameof(Parameters), Parameters), (nameof(History), History), (nameof(StopReason), StopReason),
        }.FirstOrDefault(p => p.Value is null).Name;
        if (missing is not null)
            throw Bad($"{missing} is missing or null.");
        if (Format != FormatName)
            throw Bad($"Format is '{Format}'; expected '{FormatName}' (this is not an MlNetRnn model).");
        if (FormatVersion < 1 || FormatVersion > CurrentFormatVersion)
            throw Bad($"FormatVersion is {FormatVersion}; this MlNetRnn ({SequenceModel.ProducerVersion}) reads 1 to {CurrentFormatVersion}." +
                (FormatVersion > CurrentFormatVersion ? " Update MlNetRnn." : ""));
        ValidateSpec(Spec, Bad);
        ValidateOptions(Options, Spec, Bad);

        var layout = SequenceNetwork.Layout(Spec).ToList();
        if (Parameters.Count != layout.Count)
            throw Bad($"Parameters lists {Parameters.Count} tensors; the spec's network has {layout.Count}.");
        for (var i = 0; i < layout.Count; i++)
        {
            var (name, shape) = layout[i];
            var saved = Parameters[i];
            if (saved is null || saved.Name != name || saved.Shape is null || !saved.Shape.SequenceEqual(shape))
            {
                var found = saved is null ? "null" : $"'{saved.Name}' [{(saved.Shape is null ? "null" : string.Join(", ", saved.Shape))}]";
                throw Bad($"Parameters[{i}] is {found}; the spec's network has '{name}' [{string.Join(", ", shape)}] there.");
            }
        }

        Schema.Validate(Spec, (_, problem, inner) => Bad(problem, inner));

        for (var i = 0; i < History.Count; i++)
        {
            var epoch = History[i];
            if (epoch is null)
                throw Bad($"History[{i}] is null; expected an epoch record.");
            if (epoch.Epoch < 1)
                throw Bad($"History[{i}].Epoch is {epoch.Epoch}; epochs count from 1.");
            if (!(epoch.Seconds >= 0 && epoch.Seconds <= MaxEpochSeconds))
                throw Bad($"History[{i}].Seconds is {epoch.Seconds}; expected a duration in [0, {MaxEpochSeconds:G}] seconds.");
        }
        if (RestoredEpoch is { } restored && (restored < 1 || !History.Any(e => e.Epoch == restored)))
            throw Bad($"RestoredEpoch is {restored}; expected one of the {History.Count} epochs of History.");
    }

    /// <summary>The spec's own checks (enum values, sizes within <see cref="SequenceModelLimits"/>, task against
    /// read-out and head), as a <see cref="ModelFileException"/>.</summary>
    public static void ValidateSpec(SequenceNetworkSpec spec, Func<string, Exception?, ModelFileException> bad)
    {
        try
        {
            spec.Validate();
        }
        catch (ArgumentException e)
        {
            throw bad($"Spec describes an invalid network: {e.Message}", e);
        }
    }

    /// <summary>The training options' own checks, and their task and class weights against the spec.</summary>
    public static void ValidateOptions(SequenceModelOptions options, SequenceNetworkSpec spec, Func<string, Exception?, ModelFileException> bad)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw bad($"Options are invalid: {e.Message}", e);
        }
        if (options.Task != spec.Task)
            throw bad($"Options.Task is {options.Task}; Spec.Task is {spec.Task}. They must agree.", null);
        if (options.ClassWeights is { } weights && spec.Task != SequenceTask.Regression && weights.Count != Math.Max(2, spec.OutputSize))
            throw bad($"Options.ClassWeights has {weights.Count} entries; the {spec.Task} head has {Math.Max(2, spec.OutputSize)} classes.", null);
    }
}

internal sealed partial record SchemaDocument
{
    /// <summary>Checks the schema against the spec: the task, the input form and width, the text featurizer and its
    /// vocabulary, the labels (one per head output, distinct, none a reserved token) and the regression values.
    /// <paramref name="bad"/> gets the schema's field at fault (nameof(Featurizer), nameof(Vocabulary),
    /// nameof(KeyNames), nameof(Labels), or "" for the rest), so that a file that keeps them apart (an ONNX export's
    /// metadata) names the part of the file.</summary>
    public void Validate(SequenceNetworkSpec spec, Func<string, string, Exception?, ModelFileException> bad)
    {
        ModelFileException Bad(string problem) => bad("", problem, null);
        ModelFileException BadIn(string field, string problem, Exception? inner = null) => bad(field, problem, inner);

        if (Labels is null)
            throw BadIn(nameof(Labels), "Schema.Labels is missing or null.");

        if (Task != spec.Task)
            throw Bad($"Schema.Task is {Task}; Spec.Task is {spec.Task}. They must agree.");
        if (!Enum.IsDefined(Input))
            throw Bad($"Schema.Input is {Input}; expected one of {string.Join(", ", Enum.GetNames<SequenceInputKindOfData>())}.");
        var tokens = Input != SequenceInputKindOfData.Dense;
        if (tokens != (spec.InputKind == SequenceInputKind.Tokens))
            throw Bad($"Schema.Input is {Input}; the network reads {spec.InputKind} input.");
        if (tokens && (VocabularySize != spec.InputWidth || FeatureWidth != 0))
            throw Bad($"Schema.VocabularySize is {VocabularySize} and FeatureWidth {FeatureWidth}; the network's embedding has {spec.InputWidth} rows (expected VocabularySize {spec.InputWidth}, FeatureWidth 0).");
        if (!tokens && (FeatureWidth != spec.InputWidth || VocabularySize != 0))
            throw Bad($"Schema.FeatureWidth is {FeatureWidth} and VocabularySize {VocabularySize}; the network reads {spec.InputWidth} features per step (expected FeatureWidth {spec.InputWidth}, VocabularySize 0).");

        if (Input == SequenceInputKindOfData.Text)
        {
            if (Featurizer is null || Vocabulary is null)
                throw BadIn(Featurizer is null ? nameof(Featurizer) : nameof(Vocabulary), $"Schema.Featurizer is {(Featurizer is null ? "null" : "set")} and Schema.Vocabulary {(Vocabulary is null ? "null" : "set")}; a text model needs both.");
            try
            {
                Featurizer.Validate();
            }
            catch (ArgumentException e)
            {
                throw BadIn(nameof(Featurizer), $"Schema.Featurizer is invalid: {e.Message}", e);
            }
            if (Vocabulary.Count != VocabularySize)
                throw BadIn(nameof(Vocabulary), $"Schema.Vocabulary holds {Vocabulary.Count} tokens; Schema.VocabularySize is {VocabularySize}.");
            var nullToken = Vocabulary.IndexOf(null!);
            if (nullToken >= 0)
                throw BadIn(nameof(Vocabulary), $"Schema.Vocabulary[{nullToken}] is null; expected a token.");
            try
            {
                _ = new Vocabulary(Vocabulary);
            }
            catch (ArgumentException e)
            {
                throw BadIn(nameof(Vocabulary), $"Schema.Vocabulary is invalid: {e.Message}", e);
            }
        }
        else if (Featurizer is not null || Vocabulary is not null)
        {
            throw BadIn(Featurizer is not null ? nameof(Featurizer) : nameof(Vocabulary), $"Schema.Featurizer or Schema.Vocabulary is set for {Input} input; only text input has them.");
        }
        if (KeyNames is not null)
        {
            // ML.NET keys 1..K name ids 1..K; id 0 is a missing key.
            if (Input != SequenceInputKindOfData.TokenIds || KeyNames.Count != VocabularySize - 1)
                throw BadIn(nameof(KeyNames), $"Schema.KeyNames holds {KeyNames.Count} names for {Input} input with VocabularySize {VocabularySize}; expected token-id input and VocabularySize - 1 = {VocabularySize - 1} names.");
            var nullName = KeyNames.IndexOf(null!);
            if (nullName >= 0)
                throw BadIn(nameof(KeyNames), $"Schema.KeyNames[{nullName}] is null; expected a name.");
            if (KeyNames.Distinct(StringComparer.Ordinal).Count() != KeyNames.Count)
                throw BadIn(nameof(KeyNames), "Schema.KeyNames repeats a name; expected each key's name once.");
        }

        var expectedLabels = spec.Task switch
        {
            SequenceTask.BinaryClassification => 2,
            SequenceTask.MulticlassClassification or SequenceTask.Tagging => spec.OutputSize,
            _ => 0,
        };
        if (Labels.Count != expectedLabels)
            throw BadIn(nameof(Labels), $"Schema.Labels holds {Labels.Count} labels; the {spec.Task} head (OutputSize {spec.OutputSize}) needs {expectedLabels}.");
        if (spec.Task is SequenceTask.MulticlassClassification or SequenceTask.Tagging && Labels.Count < 2)
            throw BadIn(nameof(Labels), $"Schema.Labels holds {Labels.Count} label; {spec.Task} needs at least two classes.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Labels.Count; i++)
        {
            var label = Labels[i];
            if (label is null)
                throw BadIn(nameof(Labels), $"Schema.Labels[{i}] is null; expected a class name.");
            if (SequenceModelOptions.IsReservedLabel(label))
                throw BadIn(nameof(Labels), $"Schema.Labels[{i}] is '{label}', a reserved token; a class cannot be named so.");
            if (!seen.Add(label))
                throw BadIn(nameof(Labels), $"Schema.Labels[{i}] is '{label}' again; every class has its own name.");
        }

        if (spec.Task == SequenceTask.Regression)
        {
            if (ValueCount != spec.OutputSize || ValuesPerStep != spec.PerStep)
                throw Bad($"Schema.ValueCount is {ValueCount} and ValuesPerStep {ValuesPerStep}; the regression head predicts {spec.OutputSize} values {(spec.PerStep ? "per step" : "per sequence")}.");
        }
        else if (ValueCount != 0 || ValuesPerStep)
        {
            throw Bad($"Schema.ValueCount is {ValueCount} and ValuesPerStep {ValuesPerStep}; a {spec.Task} model has no regression values (expected 0 and false).");
        }
    }
}
