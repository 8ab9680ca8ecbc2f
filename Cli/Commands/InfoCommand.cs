using System.CommandLine;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Google.Protobuf;
using MlNetRnn.Featurization;
using MlNetRnn.Network;
using MlNetRnn.OnnxExport.Import;
using MlNetRnn.OnnxExport.Proto;

namespace MlNetRnn.Cli.Commands;

/// <summary>
/// `mlnetrnn info MODEL`: what a model file (.mlnr) or an ONNX file expects and returns: the task, the input (its kind
/// and name), the labels, the vocabulary and tokenizer, the network, the outputs, and for ONNX the opset and producer.
/// </summary>
internal static class InfoCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<string?>("file") { Description = "The model file (.mlnr) or ONNX file (.onnx) to describe.", Arity = ArgumentArity.ZeroOrOne };
        var model = new Option<string?>("--model") { Description = "The same, as an option (like the other commands)." };
        var command = new Command("info", "Show what a model file (.mlnr) or ONNX file expects and returns: task, input, labels, vocabulary, tokenizer, network, outputs, opset, producer.")
        {
            file, model,
        };
        command.SetAction(r =>
        {
            var path = (r.GetValue(file), r.GetValue(model)) switch
            {
                ({ } a, { } b) when a != b => throw new ArgumentException("Name one file: as the argument or as --model."),
                ({ } a, _) => a,
                (_, { } b) => b,
                _ => throw new ArgumentException("Name the model file: mlnetrnn info MODEL.mlnr|MODEL.onnx."),
            };
            var lines = new List<(string Key, string Value)>();
            if (ModelFiles.IsModelFile(path))
                DescribeModelFile(path, lines);
            else
                DescribeOnnx(path, lines);
            var width = lines.Max(l => l.Key.Length) + 2;
            foreach (var (key, value) in lines)
                context.Out.WriteLine($"{(key + ":").PadRight(width)}{value}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static void DescribeModelFile(string path, List<(string, string)> lines)
    {
        using var trained = SequenceModel.Load(path);
        lines.Add(("file", $"{path} (MlNetRnn model, {ModelFiles.Size(path)})"));
        lines.Add(("producer", Producer(path)));
        Describe(trained.Schema, trained.Spec, trained.Options, lines);
        lines.Add(("parameters", trained.Parameters.Count.ToString("N0", CultureInfo.InvariantCulture)));
        lines.Add(("predict gives", Predicts(trained.Schema, trained.Spec)));
        var history = trained.History;
        if (history.Epochs.Count > 0)
        {
            var last = history.Epochs[^1];
            lines.Add(("training", $"{history.Epochs.Count} epochs ({history.StopReason})" +
                                   (history.RestoredEpoch is { } best ? $", weights of epoch {best} kept" : "") +
                                   $"; last epoch: train loss {last.TrainLoss.ToString("F4", CultureInfo.InvariantCulture)}" +
                                   (last.Validation is { } m ? $", validation {m}" : "")));
        }
    }

    private static void DescribeOnnx(string path, List<(string, string)> lines)
    {
        ModelProto proto;
        var length = new FileInfo(path).Length;
        if (length > SequenceModelLimits.MaxOnnxFileBytes)
            throw new InvalidDataException($"'{path}' is {length} bytes; an ONNX file MlNetRnn reads holds at most {SequenceModelLimits.MaxOnnxFileBytes}.");
        try
        {
            proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"'{path}' is neither an MlNetRnn model file nor an ONNX model: {e.Message}", e);
        }
        if (proto.Graph is null)
            throw new InvalidDataException($"'{path}' is neither an MlNetRnn model file nor an ONNX model: it has no graph.");
        lines.Add(("file", $"{path} (ONNX, {ModelFiles.Size(path)})"));
        lines.Add(("producer", $"{proto.ProducerName} {proto.ProducerVersion}".Trim()));
        lines.Add(("opset", string.Join(", ", proto.OpsetImport.Select(o => $"{(o.Domain.Length == 0 ? "ai.onnx" : o.Domain)} {o.Version}")) + $"; IR version {proto.IrVersion}"));
        lines.Add(("inputs", string.Join(", ", proto.Graph.Input.Select(Value))));
        lines.Add(("outputs", string.Join(", ", proto.Graph.Output.Select(Value))));
        try
        {
            using var imported = OnnxImporter.Import(proto, path);
            Describe(imported.Schema, imported.Spec, imported.Options, lines);
            lines.Add(("parameters", imported.Parameters.Count.ToString("N0", CultureInfo.InvariantCulture)));
            lines.Add(("predict gives", Predicts(imported.Schema, imported.Spec)));
        }
        catch (InvalidDataException e)
        {
            lines.Add(("mlnetrnn", $"not readable as an MlNetRnn model: {Program.OneLine(e.Message)}"));
        }
        if (proto.DocString.Length > 0)
            lines.Add(("description", Program.OneLine(proto.DocString)));
    }

    private static void Describe(SequenceModelSchema schema, SequenceNetworkSpec spec, SequenceModelOptions options, List<(string, string)> lines)
    {
        lines.Add(("task", EvaluateCommand.Describe(schema.Task)));
        lines.Add(("input", schema.Input switch
        {
            SequenceInputKindOfData.Text => $"text (column '{Data.DataColumns.DefaultText}' in predict and evaluate files)",
            SequenceInputKindOfData.TokenIds => $"token ids 0 .. {schema.VocabularySize - 1} (column '{Data.DataColumns.DefaultTokens}')",
            _ => $"numeric sequences of {schema.FeatureWidth} value{(schema.FeatureWidth == 1 ? "" : "s")} per step (column '{Data.DataColumns.DefaultSequence}')",
        }));
        if (schema.Labels.Count > 0)
        {
            var shown = string.Join(", ", schema.Labels.Take(30)) + (schema.Labels.Count > 30 ? $", ... ({schema.Labels.Count} in all)" : "");
            lines.Add((schema.Task == SequenceTask.Tagging ? "tags" : "labels",
                schema.Task == SequenceTask.BinaryClassification ? $"{shown} (positive: {schema.Labels[1]})" : shown));
        }
        if (schema.Task == SequenceTask.Regression)
            lines.Add(("targets", $"{schema.ValueCount} value{(schema.ValueCount == 1 ? "" : "s")} per {(schema.ValuesPerStep ? "step" : "sequence")}"));
        if (schema.Featurizer is { } featurizer)
        {
            var t = featurizer.Options;
            lines.Add(("tokenizer", $"{(t.Tokenizer == TokenizerKind.Words ? "words" : "characters")} (version {t.EffectiveTokenizerVersion})" +
                                    (t.Lowercase ? ", lower-cased" : ", case kept") +
                                    (t.Tokenizer == TokenizerKind.Words ? $", punctuation {(t.KeepPunctuation ? "kept as tokens" : "dropped")}, words over {t.MaxTokenLength} characters unknown" : "") +
                                    (t.MaxLength > 0 ? $", at most {t.MaxLength} tokens ({(t.Truncation == TruncationSide.KeepStart ? "the first" : "the last")})" : ", no length limit")));
            lines.Add(("vocabulary", $"{featurizer.Vocabulary.Count:N0} tokens (ids 0 {Vocabulary.PaddingToken}, 1 {Vocabulary.UnknownToken}; tokens seen at least {t.MinCount} times, at most {t.MaxVocabularySize:N0})"));
        }
        else if (schema.Input == SequenceInputKindOfData.TokenIds)
        {
            lines.Add(("vocabulary", $"{schema.VocabularySize:N0} token ids"));
        }
        lines.Add(("network", $"{spec.Cell.ToString().ToUpperInvariant()}, {spec.HiddenSize} units, {spec.Layers} layer{(spec.Layers == 1 ? "" : "s")}" +
                              (spec.Bidirectional ? ", bidirectional" : "") +
                              (spec.InputKind == SequenceInputKind.Tokens ? $", embedding {spec.EmbeddingSize}" : "") +
                              $", read-out {ReadOut(spec.ReadOut)}" + (spec.Dropout > 0 ? $", dropout {spec.Dropout.ToString(CultureInfo.InvariantCulture)}" : "") +
                              $", head {spec.OutputSize} output{(spec.OutputSize == 1 ? "" : "s")}"));
        lines.Add(("trained with", $"{options.Optimizer}, learning rate {options.LearningRate.ToString(CultureInfo.InvariantCulture)}, batch {options.BatchSize}, {options.Epochs} epochs, seed {options.Seed}"));
    }

    // What predict writes for each row.
    private static string Predicts(SequenceModelSchema schema, SequenceNetworkSpec spec) => spec.Task switch
    {
        SequenceTask.BinaryClassification => $"label ({schema.Labels[0]} or {schema.Labels[1]}), probabilities of both, score (the logit)",
        SequenceTask.MulticlassClassification => $"label (one of {schema.Labels.Count}), probabilities per class, score (the winning probability)",
        SequenceTask.Regression => $"values ({schema.ValueCount} per {(schema.ValuesPerStep ? "step" : "sequence")})",
        SequenceTask.Tagging => "tags (one per step)",
        _ => "label (the most likely next token), probabilities over the vocabulary, score",
    };

    private static string ReadOut(ReadOutKind kind) => kind switch
    {
        ReadOutKind.LastState => "last state",
        ReadOutKind.MaxPool => "max over the steps",
        ReadOutKind.MeanPool => "mean over the steps",
        _ => "every step",
    };

    // "Text string [batch, 1]".
    private static string Value(ValueInfoProto value)
    {
        var tensor = value.Type?.TensorType;
        if (tensor is null)
            return value.Name;
        var type = (TensorProto.Types.DataType)tensor.ElemType switch
        {
            TensorProto.Types.DataType.Float => "float",
            TensorProto.Types.DataType.Int64 => "int64",
            TensorProto.Types.DataType.Int32 => "int32",
            TensorProto.Types.DataType.String => "string",
            TensorProto.Types.DataType.Bool => "bool",
            TensorProto.Types.DataType.Double => "double",
            var other => other.ToString().ToLowerInvariant(),
        };
        var shape = tensor.Shape is null ? "" : " [" + string.Join(", ", tensor.Shape.Dim.Select(d => d.HasDimValue ? d.DimValue.ToString(CultureInfo.InvariantCulture) : d.DimParam)) + "]";
        return $"{value.Name} {type}{shape}";
    }

    // The "Producer" of the model's JSON document ("MlNetRnn 0.1.0").
    private static string Producer(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        using var stream = zip.GetEntry("model.json")?.Open() ?? throw new InvalidDataException($"'{path}' has no model.json.");
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.TryGetProperty("Producer", out var producer) && producer.GetString() is { Length: > 0 } name ? name : "(not recorded)";
    }
}
