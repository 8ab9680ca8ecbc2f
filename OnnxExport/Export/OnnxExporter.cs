using Google.Protobuf;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.OnnxExport.Proto;
using MlNetRnn.Persistence;
using static MlNetRnn.OnnxExport.Export.OnnxGraphBuilder;
using DataType = MlNetRnn.OnnxExport.Proto.TensorProto.Types.DataType;

namespace MlNetRnn.OnnxExport.Export;

/// <summary>
/// Writes a trained <see cref="SequenceModel"/> as one ONNX graph of standard operators (see
/// <see cref="OnnxModelContract"/> for its inputs, outputs and metadata):
/// <code>
/// Text [B] -tokenizer, vocabulary, truncation (TextGraph)-> input_ids [B,T], sequence_lens [B]     (text models)
/// input_ids [B,T] -Transpose-> [T,B] -Gather(embedding)-> [T,B,E]      (dense: features [B,T,D] -Transpose-> [T,B,D])
///   -> per layer: GRU/LSTM/RNN(W, R, B, sequence_lens[, initial states][, P]) -> Y [T,D,B,H] -> [T,B,D*H]
///   -> read-out: Y_h -> [B,D*H] | masked ReduceMax / masked ReduceSum / length over steps | every step
///   -> head: Gemm (per step: MatMul + Add, back to [B,T,K]) -> Sigmoid / Softmax -> PredictedLabel, Score, Probability
/// </code>
/// The recurrent weights are already in ONNX layout and gate order, so they are copied as they are. The export is
/// deterministic: the same model gives the same bytes.
/// </summary>
public static class OnnxExporter
{
    /// <summary>Exports to a file, atomically (a temporary file renamed over the target).</summary>
    public static OnnxExportReport Export(SequenceModel model, string path, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (proto, report) = Build(model, options ?? new OnnxExportOptions());
        AtomicFile.Write(path, stream => proto.WriteTo(stream));
        return report with { Path = Path.GetFullPath(path) };
    }

    /// <summary>Exports to bytes.</summary>
    public static byte[] ToBytes(SequenceModel model, OnnxExportOptions? options = null) =>
        Build(model, options ?? new OnnxExportOptions()).Model.ToByteArray();

    /// <summary>Builds the ONNX model and the report of what it holds.</summary>
    public static (ModelProto Model, OnnxExportReport Report) Build(SequenceModel model, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var spec = model.Spec;
        var rawText = (model.Schema.Featurizer is not null || model.Schema.KeyNames is not null) && options.TextInput == OnnxTextInput.Text;
        var streaming = spec.Task == SequenceTask.LanguageModel || options.StateInputs;
        if (options.StateInputs && spec.Bidirectional)
            throw new NotSupportedException("StateInputs: a bidirectional model cannot be fed in pieces (its reverse direction reads the whole sequence); export it without state inputs.");
        if (options.StateInputs && spec.ReadOut is ReadOutKind.MaxPool or ReadOutKind.MeanPool)
            throw new NotSupportedException($"StateInputs: the {spec.ReadOut} read-out pools over the whole sequence, which a call that sees one piece cannot do; export it without state inputs, or train with ReadOut LastState.");
        var opset = options.Opset ?? (rawText ? TextGraph.MinimumOpset : OnnxExportOptions.MinimumOpset);
        if (rawText && opset < TextGraph.MinimumOpset)
            throw new ArgumentOutOfRangeException(nameof(options), opset,
                $"A raw-text graph needs opset {TextGraph.MinimumOpset} or later (StringSplit, StringConcat); ask for it, or export with TextInput = TokenIds.");
        var g = new OnnxGraphBuilder();
        var warnings = new List<string>();

        // Inputs, transposed to time-major [T, B, I].
        string x;
        if (spec.InputKind == SequenceInputKind.Tokens)
        {
            if (rawText)
            {
                g.Input(OnnxModelContract.TextInput, DataType.String, "batch", 1);
                if (model.Schema.Featurizer is { } featurizer)
                    TextGraph.Build(g, featurizer, OnnxModelContract.TextInput, OnnxModelContract.TokenInput, OnnxModelContract.SequenceLengths);
                else
                    TextGraph.BuildForKeys(g, model.Schema.KeyNames!, options.Separators, model.Options.Text,
                        OnnxModelContract.TextInput, OnnxModelContract.TokenInput, OnnxModelContract.SequenceLengths);
            }
            else
            {
                g.Input(OnnxModelContract.TokenInput, DataType.Int64, "batch", "sequence");
                g.Input(OnnxModelContract.SequenceLengths, DataType.Int32, "batch");
            }
            var ids = g.Node("Transpose", [OnnxModelContract.TokenInput], "ids_time_major", Ints("perm", 1, 0));
            var table = g.Floats(SequenceNetwork.EmbeddingName, model.Parameters[SequenceNetwork.EmbeddingName].Values.ToArray(), spec.InputWidth, spec.EmbeddingSize);
            x = g.Node("Gather", [table, ids], "embedded", Int("axis", 0));
        }
        else
        {
            g.Input(OnnxModelContract.DenseInput, DataType.Float, "batch", "sequence", spec.InputWidth);
            g.Input(OnnxModelContract.SequenceLengths, DataType.Int32, "batch");
            x = g.Node("Transpose", [OnnxModelContract.DenseInput], "features_time_major", Ints("perm", 1, 0, 2));
        }

        // Recurrent layers.
        string features = x, lastYh = "";
        for (var l = 0; l < spec.Layers; l++)
        {
            var d = model.Spec.LayerDescriptor(l);
            var op = d.Cell switch { RecurrentCell.Rnn => "RNN", RecurrentCell.Gru => "GRU", _ => "LSTM" };
            var w = g.Floats(SequenceNetwork.WeightName(l), model.Parameters[SequenceNetwork.WeightName(l)].Values.ToArray(), d.NumDirections, d.GateCount * d.HiddenSize, d.InputSize);
            var r = g.Floats(SequenceNetwork.RecurrenceName(l), model.Parameters[SequenceNetwork.RecurrenceName(l)].Values.ToArray(), d.NumDirections, d.GateCount * d.HiddenSize, d.HiddenSize);
            var b = g.Floats(SequenceNetwork.BiasName(l), model.Parameters[SequenceNetwork.BiasName(l)].Values.ToArray(), d.NumDirections, 2 * d.GateCount * d.HiddenSize);
            var inputs = new List<string> { features, w, r, b, OnnxModelContract.SequenceLengths };
            if (streaming)
            {
                g.Input(OnnxModelContract.InitialH(l), DataType.Float, d.NumDirections, "batch", d.HiddenSize);
                inputs.Add(OnnxModelContract.InitialH(l));
                if (d.Cell == RecurrentCell.Lstm)
                {
                    g.Input(OnnxModelContract.InitialC(l), DataType.Float, d.NumDirections, "batch", d.HiddenSize);
                    inputs.Add(OnnxModelContract.InitialC(l));
                }
            }
            if (spec.Peepholes)
            {
                // P is the LSTM's 8th input: the absent initial states before it are named "" (ONNX's optional input).
                while (inputs.Count < 7)
                    inputs.Add("");
                inputs.Add(g.Floats(SequenceNetwork.PeepholeName(l), model.Parameters[SequenceNetwork.PeepholeName(l)].Values.ToArray(), d.NumDirections, 3 * d.HiddenSize));
                warnings.Add($"Layer {l} is an LSTM with peepholes (P): ONNX Runtime's CUDA provider does not run peepholes on cuDNN.");
            }
            var attributes = new List<AttributeProto>
            {
                Int("hidden_size", d.HiddenSize),
                String("direction", d.Direction switch { RecurrentDirection.Bidirectional => "bidirectional", RecurrentDirection.Reverse => "reverse", _ => "forward" }),
            };
            if (d.Cell == RecurrentCell.Gru)
                attributes.Add(Int("linear_before_reset", d.LinearBeforeReset ? 1 : 0));
            if (!d.HasDefaultActivations)
            {
                attributes.Add(Strings("activations", d.Activations.Select(a => a.OnnxName).ToArray()));
                warnings.Add($"Layer {l} uses the activations {string.Join(", ", d.Activations.Select(a => a.OnnxName).Distinct())}: ONNX Runtime's CUDA provider runs only the default activations on cuDNN.");
            }
            if (d.Cell == RecurrentCell.Gru && !d.LinearBeforeReset)
                warnings.Add($"Layer {l} is a GRU with linear_before_reset = 0: ONNX Runtime's CUDA provider runs only linear_before_reset = 1 on cuDNN.");
            var outputs = d.Cell == RecurrentCell.Lstm
                ? new[] { $"rnn_{l}_Y", $"rnn_{l}_Y_h", $"rnn_{l}_Y_c" }
                : new[] { $"rnn_{l}_Y", $"rnn_{l}_Y_h" };
            g.Node(op, inputs, outputs, [.. attributes]);
            lastYh = outputs[1];
            if (streaming)
            {
                g.Node("Identity", [outputs[1]], OnnxModelContract.FinalH(l));
                if (d.Cell == RecurrentCell.Lstm)
                    g.Node("Identity", [outputs[2]], OnnxModelContract.FinalC(l));
            }
            features = d.NumDirections == 1
                ? g.Node("Squeeze", [outputs[0], g.Int64s(g.Fresh("axis1"), [1], 1)], $"rnn_{l}_features")
                : g.Node("Reshape", [g.Node("Transpose", [outputs[0]], g.Fresh("y_tbdh"), Ints("perm", 0, 2, 1, 3)), g.Int64s(g.Fresh("shape_tbf"), [0, 0, -1], 3)], $"rnn_{l}_features");
        }

        // Read-out -> [B, F] (or [T, B, F] per step).
        var F = spec.FeatureSize;
        string readOut;
        switch (spec.ReadOut)
        {
            case ReadOutKind.LastState:
                readOut = spec.NumDirections == 1
                    ? g.Node("Squeeze", [lastYh, g.Int64s(g.Fresh("axis0"), [0], 1)], OnnxModelContract.Encoding)
                    : g.Node("Reshape", [g.Node("Transpose", [lastYh], g.Fresh("yh_bdh"), Ints("perm", 1, 0, 2)), g.Int64s(g.Fresh("shape_bf"), [0, -1], 2)], OnnxModelContract.Encoding);
                break;
            case ReadOutKind.MaxPool:
            {
                var valid = ValidSteps(g, x);                                    // [T, B, 1] bool
                var lowest = g.Floats(g.Fresh("lowest"), [float.MinValue], 1);
                var masked = g.Node("Where", [valid, features, lowest], g.Fresh("masked_features"));
                readOut = opset >= 18
                    ? g.Node("ReduceMax", [masked, g.Int64s(g.Fresh("axes0"), [0], 1)], OnnxModelContract.Encoding, Int("keepdims", 0))
                    : g.Node("ReduceMax", [masked], OnnxModelContract.Encoding, Ints("axes", 0), Int("keepdims", 0));
                break;
            }
            case ReadOutKind.MeanPool:
            {
                var valid = g.Node("Cast", [ValidSteps(g, x)], g.Fresh("valid_float"), Int("to", (long)DataType.Float));
                var zeroed = g.Node("Mul", [features, valid], g.Fresh("valid_features"));
                var sum = g.Node("ReduceSum", [zeroed, g.Int64s(g.Fresh("axes0"), [0], 1)], g.Fresh("feature_sum"), Int("keepdims", 0));
                var lengths = g.Node("Unsqueeze", [g.Node("Cast", [OnnxModelContract.SequenceLengths], g.Fresh("lengths_float"), Int("to", (long)DataType.Float)), g.Int64s(g.Fresh("axis1"), [1], 1)], g.Fresh("lengths_column"));
                readOut = g.Node("Div", [sum, lengths], OnnxModelContract.Encoding);
                break;
            }
            default:
                readOut = features;
                break;
        }

        // Head.
        var K = spec.OutputSize;
        var headW = model.Parameters[SequenceNetwork.HeadWeightName].Values.ToArray();   // [K, F]
        var headB = model.Parameters[SequenceNetwork.HeadBiasName].Values.ToArray();
        string raw;
        if (spec.PerStep)
        {
            // MatMul wants [F, K]: the head weight is stored transposed under its own name.
            var transposed = new float[F * K];
            for (var k = 0; k < K; k++)
                for (var f = 0; f < F; f++)
                    transposed[f * K + k] = headW[k * F + f];
            var product = g.Node("MatMul", [readOut, g.Floats(HeadWeightTransposedName, transposed, F, K)], g.Fresh("head_product"));
            var timeMajor = g.Node("Add", [product, g.Floats(SequenceNetwork.HeadBiasName, headB, K)], g.Fresh("head_time_major"));
            raw = g.Node("Transpose", [timeMajor], spec.Task == SequenceTask.Regression ? OnnxModelContract.Values : OnnxModelContract.Logits, Ints("perm", 1, 0, 2));
        }
        else
        {
            var name = spec.Task switch
            {
                SequenceTask.BinaryClassification => OnnxModelContract.Logit,
                SequenceTask.Regression => OnnxModelContract.Values,
                _ => OnnxModelContract.Logits,
            };
            raw = g.Node("Gemm", [readOut, g.Floats(SequenceNetwork.HeadWeightName, headW, K, F), g.Floats(SequenceNetwork.HeadBiasName, headB, K)], name, Int("transB", 1));
        }

        var outputNames = new List<string>();
        void Output(string name, DataType type, params object[] dims)
        {
            g.Output(name, type, dims);
            outputNames.Add(name);
        }
        // The raw head output first (what OnnxSequencePredictor decodes, as the native model does), then ML.NET's.
        switch (spec.Task)
        {
            case SequenceTask.BinaryClassification:
            {
                Output(OnnxModelContract.Logit, DataType.Float, "batch", 1);
                var score = g.Node("Squeeze", [raw, g.Int64s(g.Fresh("axis1"), [1], 1)], OnnxModelContract.Score);
                var probability = g.Node("Sigmoid", [score], OnnxModelContract.ProbabilityOutput);
                g.Node("GreaterOrEqual", [probability, g.Floats(g.Fresh("half"), [0.5f])], OnnxModelContract.PredictedLabel);
                Output(OnnxModelContract.PredictedLabel, DataType.Bool, "batch");
                Output(OnnxModelContract.Score, DataType.Float, "batch");
                Output(OnnxModelContract.ProbabilityOutput, DataType.Float, "batch");
                break;
            }
            case SequenceTask.MulticlassClassification:
                Output(OnnxModelContract.Logits, DataType.Float, "batch", K);
                LabelOf(g, raw, model.Schema.Labels, "batch");
                g.Node("Softmax", [raw], OnnxModelContract.Score, Int("axis", -1));
                Output(OnnxModelContract.PredictedLabel, DataType.String, "batch");
                Output(OnnxModelContract.Score, DataType.Float, "batch", K);
                break;
            case SequenceTask.Regression:
                if (spec.PerStep)
                {
                    Output(OnnxModelContract.Values, DataType.Float, "batch", "sequence", K);
                    g.Node("Identity", [raw], OnnxModelContract.Score);
                    Output(OnnxModelContract.Score, DataType.Float, "batch", "sequence", K);
                }
                else
                {
                    Output(OnnxModelContract.Values, DataType.Float, "batch", K);
                    if (K == 1)
                        g.Node("Squeeze", [raw, g.Int64s(g.Fresh("axis1"), [1], 1)], OnnxModelContract.Score);
                    else
                        g.Node("Identity", [raw], OnnxModelContract.Score);
                    Output(OnnxModelContract.Score, DataType.Float, K == 1 ? ["batch"] : ["batch", K]);
                }
                break;
            case SequenceTask.Tagging:
                Output(OnnxModelContract.Logits, DataType.Float, "batch", "sequence", K);
                LabelOf(g, raw, model.Schema.Labels, "batch", "sequence");
                g.Node("Softmax", [raw], OnnxModelContract.Score, Int("axis", -1));
                Output(OnnxModelContract.PredictedLabel, DataType.String, "batch", "sequence");
                Output(OnnxModelContract.Score, DataType.Float, "batch", "sequence", K);
                break;
            default:
                Output(OnnxModelContract.Logits, DataType.Float, "batch", "sequence", K);
                g.Node("Softmax", [raw], OnnxModelContract.Score, Int("axis", -1));
                Output(OnnxModelContract.Score, DataType.Float, "batch", "sequence", K);
                break;
        }
        if (!spec.PerStep)
            Output(OnnxModelContract.Encoding, DataType.Float, "batch", F);
        if (rawText && spec.PerStep)
            Output(OnnxModelContract.SequenceLengths, DataType.Int32, "batch");
        if (streaming)
        {
            for (var l = 0; l < spec.Layers; l++)
            {
                Output(OnnxModelContract.FinalH(l), DataType.Float, spec.NumDirections, "batch", spec.HiddenSize);
                if (spec.Cell == RecurrentCell.Lstm)
                    Output(OnnxModelContract.FinalC(l), DataType.Float, spec.NumDirections, "batch", spec.HiddenSize);
            }
        }

        var proto = new ModelProto
        {
            // IR 9 came with opset 19/20 (ONNX 1.14/1.15).
            IrVersion = opset >= 19 ? 9 : 8,
            ProducerName = OnnxModelContract.ProducerName,
            ProducerVersion = SequenceModel.ProducerVersion,
            Domain = "ai.mlnetrnn",
            ModelVersion = 1,
            DocString = (options.Description is null ? "" : options.Description + "\n") +
                        $"MlNetRnn {spec.Task} model: {Describe(spec)}. " + (rawText
                            ? $"Input: the raw text, {OnnxModelContract.TextInput} [batch, 1] (the tokenizer and vocabulary are in the graph)."
                            : $"Inputs are batch-major; {OnnxModelContract.SequenceLengths} holds each sequence's real length, which must be >= 1."),
            Graph = g.Graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        if (g.Graph.Node.Any(n => n.Domain == TextGraph.MlDomain))
            proto.OpsetImport.Add(new OperatorSetIdProto { Domain = TextGraph.MlDomain, Version = TextGraph.MlOpset });
        foreach (var (key, value) in Metadata(model, outputNames))
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        // Last, over everything above: a reader refuses the file if any of it changes (OnnxChecksum).
        proto.MetadataProps.Add(new StringStringEntryProto { Key = OnnxModelContract.ChecksumKey, Value = OnnxChecksum.Compute(proto) });
        var inputNames = g.Graph.Input.Select(i => i.Name).ToList();
        return (proto, new OnnxExportReport(null, opset, inputNames, outputNames, warnings));
    }

    // PredictedLabel: the name of the largest output along the last axis (ArgMax, then a LabelEncoder from index to name).
    private static void LabelOf(OnnxGraphBuilder g, string raw, IReadOnlyList<string> labels, params object[] dims)
    {
        var best = g.Node("ArgMax", [raw], g.Fresh("best_class"), Int("axis", -1), Int("keepdims", 0));
        g.DomainNode(TextGraph.MlDomain, "LabelEncoder", [best], [OnnxModelContract.PredictedLabel],
            Ints("keys_int64s", Enumerable.Range(0, labels.Count).Select(i => (long)i).ToArray()),
            Strings("values_strings", [.. labels]),
            String("default_string", ""));
    }

    /// <summary>Initializer name of the per-step head weight, stored [F, K] for MatMul.</summary>
    public const string HeadWeightTransposedName = "head.W.transposed";

    // valid[t, b, 0] = t < sequence_lens[b]: Range over the time axis against the lengths, [T, B, 1] bool.
    private static string ValidSteps(OnnxGraphBuilder g, string timeMajor)
    {
        var shape = g.Node("Shape", [timeMajor], g.Fresh("time_major_shape"));
        var steps = g.Node("Squeeze", [g.Node("Slice", [shape, g.Int64s(g.Fresh("start0"), [0], 1), g.Int64s(g.Fresh("end1"), [1], 1)], g.Fresh("steps_1d")), g.Int64s(g.Fresh("axis0"), [0], 1)], g.Fresh("steps"));
        var zero = g.Int64s(g.Fresh("zero"), [0]);
        var one = g.Int64s(g.Fresh("one"), [1]);
        var range = g.Node("Range", [zero, steps, one], g.Fresh("step_index"));                                          // [T]
        var column = g.Node("Unsqueeze", [range, g.Int64s(g.Fresh("axis1"), [1], 1)], g.Fresh("step_column"));          // [T, 1]
        var lengths = g.Node("Cast", [OnnxModelContract.SequenceLengths], g.Fresh("lengths_int64"), Int("to", (long)DataType.Int64));
        var row = g.Node("Unsqueeze", [lengths, g.Int64s(g.Fresh("axis0"), [0], 1)], g.Fresh("lengths_row"));           // [1, B]
        var less = g.Node("Less", [column, row], g.Fresh("valid_tb"));                                                  // [T, B]
        return g.Node("Unsqueeze", [less, g.Int64s(g.Fresh("axis2"), [2], 1)], g.Fresh("valid_tb1"));                   // [T, B, 1]
    }

    private static string Describe(SequenceNetworkSpec spec) =>
        (spec.InputKind == SequenceInputKind.Tokens ? $"Embedding({spec.InputWidth}, {spec.EmbeddingSize})" : $"{spec.InputWidth} features per step") +
        $" -> {spec.Layers} x {(spec.Bidirectional ? "bidirectional " : "")}{spec.Cell}({spec.HiddenSize})" +
        (spec.Peepholes ? " with peepholes" : "") +
        (spec.Cell == RecurrentCell.Gru ? $" linear_before_reset={(spec.LinearBeforeReset ? 1 : 0)}" : "") +
        $" -> {spec.ReadOut} -> Linear({spec.FeatureSize}, {spec.OutputSize})";

    private static IEnumerable<(string Key, string Value)> Metadata(SequenceModel model, IReadOnlyList<string> outputs)
    {
        var schema = model.Schema;
        var document = new SchemaDocument
        {
            Task = schema.Task,
            Input = schema.Input,
            FeatureWidth = schema.FeatureWidth,
            VocabularySize = schema.VocabularySize,
            Featurizer = schema.Featurizer?.Options,
            Vocabulary = null,   // under their own keys
            KeyNames = null,
            Labels = [.. schema.Labels],
            ValueCount = schema.ValueCount,
            ValuesPerStep = schema.ValuesPerStep,
        };
        yield return (OnnxModelContract.FormatKey, OnnxModelContract.FormatVersion.ToString());
        yield return (OnnxModelContract.TaskKey, schema.Task.ToString());
        yield return (OnnxModelContract.InputKindKey, schema.Input.ToString());
        yield return (OnnxModelContract.FeatureWidthKey, schema.FeatureWidth.ToString());
        yield return (OnnxModelContract.LabelsKey, ModelArchive.Serialize(schema.Labels));
        if (schema.Featurizer is { } featurizer)
        {
            yield return (OnnxModelContract.TokenizerKey, ModelArchive.Serialize(featurizer.Options));
            yield return (OnnxModelContract.VocabularyKey, ModelArchive.Serialize(featurizer.Vocabulary.Tokens));
        }
        if (schema.KeyNames is { } keyNames)
            yield return (OnnxModelContract.KeyNamesKey, ModelArchive.Serialize(keyNames));
        yield return (OnnxModelContract.OutputsKey, ModelArchive.Serialize(outputs));
        yield return (OnnxModelContract.SchemaKey, ModelArchive.Serialize(document));
        yield return (OnnxModelContract.SpecKey, ModelArchive.Serialize(model.Spec));
        yield return (OnnxModelContract.OptionsKey, ModelArchive.Serialize(model.Options));
    }
}
