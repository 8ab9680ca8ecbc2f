using MlNetRnn.Featurization;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.OnnxExport.Export;
using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.OnnxExport.Proto;
using DataType = MlNetRnn.OnnxExport.Proto.TensorProto.Types.DataType;

namespace MlNetRnn.OnnxExport.Import;

/// <summary>
/// Checks an export's graph against the network, schema and outputs its metadata describes (<see cref="ExportDescription"/>),
/// at the points where a lie or a damaged graph would change what is computed or decoded:
/// <list type="bullet">
/// <item>the opsets (the exporter writes 14 to 21, 20 and later for raw text) and the operators (those
/// <see cref="OnnxExporter"/> and TextGraph write, in the default and ai.onnx.ml domains, subgraphs included);</item>
/// <item>the graph's inputs and outputs against <see cref="OnnxModelContract"/> (names, element types, fixed sizes),
/// the outputs also against the metadata's list;</item>
/// <item>every network tensor as an initializer of exactly the spec's shape (the embedding's rows are the vocabulary,
/// the head's rows the labels), each initializer name once;</item>
/// <item>one RNN/GRU/LSTM node per layer, in order, reading the layer below and that layer's W, R and B: its operator,
/// hidden_size, direction, linear_before_reset, activations and the rest of its attributes against the spec;</item>
/// <item>the embedding lookup, the read-out, the head (Gemm, or MatMul + Add per step), the output activation, and the
/// label and vocabulary lookups of PredictedLabel and of a raw-text graph against the labels, vocabulary and key names.</item>
/// </list>
/// It does not prove that the rest of the graph computes the network (the checksum of a current export covers that);
/// it makes sure that what the metadata says, the predictor decodes and the importer rebuilds is what the graph holds.
/// </summary>
internal sealed class ExportedGraphVerifier
{
    // Every operator OnnxExporter and TextGraph write; anything else means the graph was changed after export.
    private static readonly HashSet<string> Operators =
    [
        "Transpose", "Gather", "RNN", "GRU", "LSTM", "Squeeze", "Reshape", "Identity", "Shape", "Slice", "Range",
        "Unsqueeze", "Cast", "Less", "Where", "ReduceMax", "ReduceSum", "Mul", "Div", "MatMul", "Add", "Gemm", "Sigmoid", "Softmax",
        "GreaterOrEqual", "ArgMax", "LabelEncoder", "StringSplit", "StringConcat", "StringNormalizer", "Equal", "Not", "Expand", "Concat",
        "Compress", "ConstantOfShape", "ScatterElements", "ScatterND", "CumSum", "Sub", "Min", "Max", "Loop", "If", "Greater", "Mod",
    ];

    private readonly ModelProto _model;
    private readonly GraphProto _graph;
    private readonly ExportDescription _description;
    private readonly SequenceNetworkSpec _spec;
    private readonly string _origin;
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);

    private ExportedGraphVerifier(ModelProto model, ExportDescription description, string origin)
    {
        _model = model;
        _graph = model.Graph;
        _description = description;
        _spec = description.Spec;
        _origin = origin;
    }

    /// <summary>Throws a <see cref="ModelFileException"/> naming the node, initializer, input or output that does not
    /// agree with the description.</summary>
    public static void Verify(ModelProto model, ExportDescription description, string origin) =>
        new ExportedGraphVerifier(model, description, origin).Run();

    /// <summary>The initializer <paramref name="name"/> (present, checked by <see cref="Verify"/>).</summary>
    public static TensorProto Initializer(ModelProto model, string name) => model.Graph.Initializer.First(t => t.Name == name);

    private bool TakesText => _graph.Input.Any(i => i.Name == OnnxModelContract.TextInput);

    private bool Streaming => _graph.Input.Any(i => i.Name == OnnxModelContract.InitialH(0));

    private void Run()
    {
        foreach (var tensor in _graph.Initializer)
        {
            if (!_initializers.TryAdd(tensor.Name, tensor))
                throw Bad(tensor.Name, "is the name of two initializers; each name is one tensor.");
        }
        CheckOperators(_graph);
        foreach (var node in _graph.Node)
        {
            foreach (var output in node.Output.Where(o => o.Length > 0))
            {
                if (!_producers.TryAdd(output, node) || _initializers.ContainsKey(output))
                    throw Bad(NodeName(node), $"{node.OpType} node writes '{output}', which another node or an initializer also defines.");
            }
        }
        CheckOpsets();
        CheckParameters();
        CheckLayers();
        CheckInputs();
        CheckOutputs();
        CheckReadOutAndHead();
        CheckLabels();
        if (TakesText)
            CheckTextLookup();
    }

    private void CheckOperators(GraphProto graph)
    {
        foreach (var node in graph.Node)
        {
            if (!Operators.Contains(node.OpType) || node.Domain is not ("" or "ai.onnx" or TextGraph.MlDomain) || node.OpType == "LabelEncoder" != (node.Domain == TextGraph.MlDomain))
                throw Bad(NodeName(node), $"is a {Short(node.OpType)} node{(node.Domain.Length > 0 ? $" of domain '{Short(node.Domain)}'" : "")}, which an MlNetRnn export never has; the graph was changed after export.");
            foreach (var attribute in node.Attribute)
            {
                if (attribute.G is { } subgraph)
                    CheckOperators(subgraph);
                foreach (var g in attribute.Graphs)
                    CheckOperators(g);
            }
        }
    }

    private void CheckOpsets()
    {
        long? main = null, ml = null;
        foreach (var opset in _model.OpsetImport)
        {
            ref var slot = ref opset.Domain is "" or "ai.onnx" ? ref main : ref ml;
            if (opset.Domain is not ("" or "ai.onnx" or TextGraph.MlDomain) || slot is not null)
                throw Bad(null, $"imports opset '{Short(opset.Domain)}' {opset.Version}{(slot is not null ? " a second time" : "")}; an export imports the default domain once (and ai.onnx.ml for its lookups).");
            slot = opset.Version;
        }
        var lowest = TakesText ? TextGraph.MinimumOpset : OnnxExportOptions.MinimumOpset;
        if (main is not { } version || version < lowest || version > OnnxExportOptions.MaximumOpset)
            throw Bad(null, $"imports opset {(main?.ToString() ?? "(none)")} of the default domain; the exporter writes {lowest} to {OnnxExportOptions.MaximumOpset} for this graph.");
        var usesMl = AllNodes(_graph).Any(n => n.Domain == TextGraph.MlDomain);
        if (usesMl != ml.HasValue || ml is { } mlVersion && mlVersion < TextGraph.MlOpset)
            throw Bad(null, $"imports ai.onnx.ml opset {(ml?.ToString() ?? "(none)")}; its LabelEncoder nodes need {TextGraph.MlOpset} or later, and a graph without them imports none.");
    }

    // ---- Inputs and outputs ----

    private void CheckInputs()
    {
        var expected = new List<(string Name, DataType Type, object[] Dims)>();
        var spec = _spec;
        if (TakesText)
        {
            if (_description.Schema.Featurizer is null && _description.Schema.KeyNames is null)
                throw Bad(OnnxModelContract.TextInput, "is an input of raw text, and the metadata describes no tokenizer or key names; only a text model's export reads text.");
            expected.Add((OnnxModelContract.TextInput, DataType.String, ["batch", 1L]));
        }
        else if (spec.InputKind == SequenceInputKind.Tokens)
        {
            expected.Add((OnnxModelContract.TokenInput, DataType.Int64, ["batch", "sequence"]));
            expected.Add((OnnxModelContract.SequenceLengths, DataType.Int32, ["batch"]));
        }
        else
        {
            expected.Add((OnnxModelContract.DenseInput, DataType.Float, ["batch", "sequence", (long)spec.InputWidth]));
            expected.Add((OnnxModelContract.SequenceLengths, DataType.Int32, ["batch"]));
        }
        if (spec.Task == SequenceTask.LanguageModel && !Streaming)
            throw Bad(null, $"is a language model without '{OnnxModelContract.InitialH(0)}'; its export feeds every layer's state in and out.");
        if (Streaming && (spec.Bidirectional || spec.ReadOut is ReadOutKind.MaxPool or ReadOutKind.MeanPool))
            throw Bad(OnnxModelContract.InitialH(0), $"is a state input of a {(spec.Bidirectional ? "bidirectional" : spec.ReadOut.ToString())} model, which is never exported with state inputs.");
        for (var l = 0; l < spec.Layers && Streaming; l++)
        {
            expected.Add((OnnxModelContract.InitialH(l), DataType.Float, [(long)spec.NumDirections, "batch", (long)spec.HiddenSize]));
            if (spec.Cell == RecurrentCell.Lstm)
                expected.Add((OnnxModelContract.InitialC(l), DataType.Float, [(long)spec.NumDirections, "batch", (long)spec.HiddenSize]));
        }
        CheckValues("input", _graph.Input, expected);
    }

    private void CheckOutputs()
    {
        var spec = _spec;
        int K = spec.OutputSize, F = spec.FeatureSize;
        var expected = new List<(string Name, DataType Type, object[] Dims)>();
        var raw = RawOutput(spec);
        object[] perSequence = spec.PerStep ? ["batch", "sequence", (long)K] : ["batch", (long)K];
        if (_description.FormatVersion == 1)
        {
            expected.Add((raw, DataType.Float, perSequence));
            if (spec.Task != SequenceTask.Regression)
                expected.Add((spec.Task == SequenceTask.BinaryClassification ? "probability" : "probabilities", DataType.Float, perSequence));
        }
        else
        {
            expected.Add((raw, DataType.Float, perSequence));
            switch (spec.Task)
            {
                case SequenceTask.BinaryClassification:
                    expected.Add((OnnxModelContract.PredictedLabel, DataType.Bool, ["batch"]));
                    expected.Add((OnnxModelContract.Score, DataType.Float, ["batch"]));
                    expected.Add((OnnxModelContract.ProbabilityOutput, DataType.Float, ["batch"]));
                    break;
                case SequenceTask.MulticlassClassification or SequenceTask.Tagging:
                    expected.Add((OnnxModelContract.PredictedLabel, DataType.String, spec.PerStep ? ["batch", "sequence"] : ["batch"]));
                    expected.Add((OnnxModelContract.Score, DataType.Float, perSequence));
                    break;
                case SequenceTask.Regression:
                    expected.Add((OnnxModelContract.Score, DataType.Float, !spec.PerStep && K == 1 ? ["batch"] : perSequence));
                    break;
                default:
                    expected.Add((OnnxModelContract.Score, DataType.Float, perSequence));
                    break;
            }
        }
        if (!spec.PerStep)
            expected.Add((OnnxModelContract.Encoding, DataType.Float, ["batch", (long)F]));
        if (TakesText && spec.PerStep && _description.FormatVersion >= 2)
            expected.Add((OnnxModelContract.SequenceLengths, DataType.Int32, ["batch"]));
        for (var l = 0; l < spec.Layers && Streaming; l++)
        {
            expected.Add((OnnxModelContract.FinalH(l), DataType.Float, [(long)spec.NumDirections, "batch", (long)spec.HiddenSize]));
            if (spec.Cell == RecurrentCell.Lstm)
                expected.Add((OnnxModelContract.FinalC(l), DataType.Float, [(long)spec.NumDirections, "batch", (long)spec.HiddenSize]));
        }
        CheckValues("output", _graph.Output, expected);
        var actual = _graph.Output.Select(o => o.Name).ToList();
        if (!actual.SequenceEqual(_description.Outputs, StringComparer.Ordinal))
            throw Bad(OnnxModelContract.OutputsKey, $"lists the outputs {Preview(_description.Outputs)}; the graph has {Preview(actual)}. They must agree.");
    }

    /// <summary>The graph's inputs or outputs are exactly <paramref name="expected"/>, in order: names, element types,
    /// and each dimension the fixed size or a named (dynamic) one.</summary>
    private void CheckValues(string what, IList<ValueInfoProto> values, List<(string Name, DataType Type, object[] Dims)> expected)
    {
        if (values.Count != expected.Count || values.Zip(expected).Any(p => p.First.Name != p.Second.Name))
            throw Bad(null, $"has the graph {what}s {Preview(values.Select(v => v.Name).ToList())}; the metadata describes a model whose export has {Preview(expected.Select(e => e.Name).ToList())}.");
        for (var i = 0; i < values.Count; i++)
        {
            var (name, type, dims) = expected[i];
            var tensor = values[i].Type?.TensorType;
            var shape = tensor?.Shape?.Dim;
            var text = $"[{string.Join(", ", dims)}]";
            if (tensor is null || (DataType)tensor.ElemType != type)
                throw Bad(name, $"is a graph {what} of type {(tensor is null ? "(not a tensor)" : OnnxModelFile.TypeName(tensor.ElemType))}; the contract has {OnnxModelFile.TypeName((int)type)} {text}.");
            if (shape is null || shape.Count != dims.Length)
                throw Bad(name, $"is a graph {what} of {(shape is null ? "unknown" : shape.Count.ToString())} dimensions; the contract has {OnnxModelFile.TypeName((int)type)} {text}.");
            for (var d = 0; d < dims.Length; d++)
            {
                var ok = dims[d] is long size ? shape[d].HasDimValue && shape[d].DimValue == size : !shape[d].HasDimValue;
                if (!ok)
                    throw Bad(name, $"has dimension {d} {(shape[d].HasDimValue ? shape[d].DimValue.ToString() : $"'{Short(shape[d].DimParam)}'")}; the contract has {OnnxModelFile.TypeName((int)type)} {text}.");
            }
        }
    }

    // ---- Weights and layers ----

    private void CheckParameters()
    {
        foreach (var (name, shape) in SequenceNetwork.Layout(_spec))
        {
            var (stored, dims) = name == SequenceNetwork.HeadWeightName && _spec.PerStep
                ? (OnnxExporter.HeadWeightTransposedName, new long[] { shape[1], shape[0] })
                : (name, shape.Select(s => (long)s).ToArray());
            if (!_initializers.TryGetValue(stored, out var tensor))
                throw Bad(stored, $"is missing; the network in the metadata needs this initializer, FLOAT [{string.Join(", ", dims)}].");
            if ((DataType)tensor.DataType != DataType.Float || !tensor.Dims.SequenceEqual(dims))
                throw Bad(stored, $"is {OnnxModelFile.TypeName(tensor.DataType)} [{string.Join(", ", tensor.Dims)}]; the network in the metadata needs FLOAT [{string.Join(", ", dims)}].");
        }
    }

    private void CheckLayers()
    {
        var recurrent = AllNodes(_graph).Where(n => n.OpType is "RNN" or "GRU" or "LSTM").ToList();
        var op = _spec.Cell switch { RecurrentCell.Rnn => "RNN", RecurrentCell.Gru => "GRU", _ => "LSTM" };
        if (recurrent.Count != _spec.Layers || recurrent.Any(n => n.OpType != op) || recurrent.Any(n => !_graph.Node.Contains(n)))
            throw Bad(recurrent.FirstOrDefault(n => n.OpType != op) is { } other ? NodeName(other) : null,
                $"has {recurrent.Count} recurrent node(s) ({string.Join(", ", recurrent.Select(n => n.OpType).Distinct())}); the metadata describes {_spec.Layers} {op} layer(s).");
        for (var l = 0; l < _spec.Layers; l++)
        {
            var node = recurrent[l];
            var expected = _spec.LayerDescriptor(l);
            OnnxRecurrentNode parsed;
            try
            {
                parsed = OnnxRecurrentNode.FromNode(node, expected.InputSize);
            }
            catch (Exception e) when (e is NotSupportedException or ArgumentException or OverflowException)
            {
                throw Bad(NodeName(node), $"{op} node of layer {l}: {e.Message}", e);
            }
            if (!parsed.Descriptor.Equals(expected) || parsed.Layout != 0)
                throw Bad(NodeName(node), $"{op} node of layer {l} computes {parsed.Descriptor}{(parsed.Layout != 0 ? $" with layout {parsed.Layout}" : "")}; the metadata describes {expected}.");
            string[] inputs =
            [
                l == 0 ? (_spec.InputKind == SequenceInputKind.Tokens ? "embedded" : "features_time_major") : $"rnn_{l - 1}_features",
                SequenceNetwork.WeightName(l), SequenceNetwork.RecurrenceName(l), SequenceNetwork.BiasName(l), OnnxModelContract.SequenceLengths,
                Streaming ? OnnxModelContract.InitialH(l) : "", Streaming && _spec.Cell == RecurrentCell.Lstm ? OnnxModelContract.InitialC(l) : "",
                _spec.Peepholes ? SequenceNetwork.PeepholeName(l) : "",
            ];
            if (!parsed.Inputs.SequenceEqual(inputs))
            {
                var at = Enumerable.Range(0, Math.Min(parsed.Inputs.Count, inputs.Length)).FirstOrDefault(i => parsed.Inputs[i] != inputs[i], Math.Min(parsed.Inputs.Count, inputs.Length));
                throw Bad(NodeName(node), $"{op} node of layer {l} reads {Preview(parsed.Inputs)}; layer {l} of an export reads {Preview(inputs)} " +
                    $"(input {at}: '{(at < parsed.Inputs.Count ? parsed.Inputs[at] : "")}' where an export has '{(at < inputs.Length ? inputs[at] : "")}').");
            }
        }
        if (_spec.InputKind == SequenceInputKind.Tokens)
        {
            var lookup = Producer("embedded", "Gather");
            if (!lookup.Input.SequenceEqual([SequenceNetwork.EmbeddingName, "ids_time_major"]) || IntAttribute(lookup, "axis", 0) != 0)
                throw Bad(NodeName(lookup), $"looks up {Preview(lookup.Input)} along axis {IntAttribute(lookup, "axis", 0)}; the embedding is a Gather of '{SequenceNetwork.EmbeddingName}' rows by the token ids.");
        }
    }

    private void CheckReadOutAndHead()
    {
        var spec = _spec;
        var top = $"rnn_{spec.Layers - 1}_features";
        var raw = RawOutput(spec);
        if (spec.PerStep)
        {
            var transpose = Producer(raw, "Transpose");
            var add = Producer(transpose.Input.FirstOrDefault() ?? "", "Add");
            var product = Producer(add.Input.FirstOrDefault() ?? "", "MatMul");
            if (!product.Input.SequenceEqual([top, OnnxExporter.HeadWeightTransposedName]) || add.Input.Count != 2 || add.Input[1] != SequenceNetwork.HeadBiasName)
                throw Bad(NodeName(product), $"the per-step head computes {Preview(product.Input)} + {Preview(add.Input)}; an export computes '{top}' x '{OnnxExporter.HeadWeightTransposedName}' + '{SequenceNetwork.HeadBiasName}'.");
            return;
        }
        var readOut = spec.ReadOut switch
        {
            ReadOutKind.MaxPool => "ReduceMax",
            ReadOutKind.MeanPool => "Div",
            _ => spec.NumDirections == 1 ? "Squeeze" : "Reshape",
        };
        Producer(OnnxModelContract.Encoding, readOut);
        var head = Producer(raw, "Gemm");
        var attributes = head.Attribute.Select(a => $"{a.Name}={a.I}").ToList();
        if (!head.Input.SequenceEqual([OnnxModelContract.Encoding, SequenceNetwork.HeadWeightName, SequenceNetwork.HeadBiasName]) || attributes is not ["transB=1"])
            throw Bad(NodeName(head), $"the head computes Gemm({Preview(head.Input)}) with {string.Join(", ", head.Attribute.Select(a => a.Name))}; an export computes Gemm('{OnnxModelContract.Encoding}', '{SequenceNetwork.HeadWeightName}', '{SequenceNetwork.HeadBiasName}') with transB=1 only.");
    }

    /// <summary>The output activation and PredictedLabel's lookup of class names.</summary>
    private void CheckLabels()
    {
        var spec = _spec;
        var raw = RawOutput(spec);
        if (_description.FormatVersion == 1)
        {
            if (spec.Task != SequenceTask.Regression)
                RequireReads(Producer(spec.Task == SequenceTask.BinaryClassification ? "probability" : "probabilities",
                    spec.Task == SequenceTask.BinaryClassification ? "Sigmoid" : "Softmax"), raw);
            return;
        }
        switch (spec.Task)
        {
            case SequenceTask.BinaryClassification:
            {
                var probability = Producer(OnnxModelContract.ProbabilityOutput, "Sigmoid");
                RequireReads(probability, OnnxModelContract.Score);
                RequireReads(Producer(OnnxModelContract.Score, "Squeeze"), raw);
                var label = Producer(OnnxModelContract.PredictedLabel, "GreaterOrEqual");
                if (label.Input.Count != 2 || label.Input[0] != OnnxModelContract.ProbabilityOutput || !IsHalf(label.Input[1]))
                    throw Bad(NodeName(label), $"computes PredictedLabel from {Preview(label.Input)}; an export computes Probability >= 0.5.");
                break;
            }
            case SequenceTask.MulticlassClassification or SequenceTask.Tagging:
            {
                var softmax = Producer(OnnxModelContract.Score, "Softmax");
                RequireReads(softmax, raw);
                if (IntAttribute(softmax, "axis", -1) != -1)
                    throw Bad(NodeName(softmax), $"takes the softmax along axis {IntAttribute(softmax, "axis", -1)}; an export takes it over the classes (axis -1).");
                var encoder = Producer(OnnxModelContract.PredictedLabel, "LabelEncoder");
                var best = Producer(encoder.Input.FirstOrDefault() ?? "", "ArgMax");
                RequireReads(best, raw);
                var keys = Attribute(encoder, "keys_int64s")?.Ints ?? [];
                var names = Attribute(encoder, "values_strings")?.Strings.Select(s => s.ToStringUtf8()).ToList() ?? [];
                var labels = _description.Schema.Labels;
                if (IntAttribute(best, "axis", 0) != -1 || !keys.SequenceEqual(Enumerable.Range(0, labels.Count).Select(k => (long)k)) || !names.SequenceEqual(labels, StringComparer.Ordinal))
                    throw Bad(NodeName(encoder), $"maps the classes to the names {Preview(names)}; the metadata's labels are {Preview(labels)}. They must agree.");
                break;
            }
            case SequenceTask.LanguageModel:
                RequireReads(Producer(OnnxModelContract.Score, "Softmax"), raw);
                break;
            default:
                RequireReads(Producer(OnnxModelContract.Score, !spec.PerStep && spec.OutputSize == 1 ? "Squeeze" : "Identity"), raw);
                break;
        }
    }

    /// <summary>A raw-text graph's lookup of tokens: the vocabulary (ids 2 and up; an unknown word is id 1), or the key
    /// names (key k is id k; an unknown word is id 0).</summary>
    private void CheckTextLookup()
    {
        var lookup = Producer(OnnxModelContract.TokenInput, "LabelEncoder");
        var keys = Attribute(lookup, "keys_strings")?.Strings.Select(s => s.ToStringUtf8()).ToList() ?? [];
        var ids = Attribute(lookup, "values_int64s")?.Ints.ToList() ?? [];
        var fallback = IntAttribute(lookup, "default_int64", -1);
        List<string> expectedKeys;
        List<long> expectedIds;
        long expectedFallback;
        if (_description.Schema.Featurizer is { } featurizer)
        {
            var tokens = featurizer.Vocabulary.Tokens;
            expectedKeys = tokens.Skip(2).ToList();
            expectedIds = Enumerable.Range(2, tokens.Count - 2).Select(i => (long)i).ToList();
            expectedFallback = Vocabulary.UnknownId;
        }
        else
        {
            var named = _description.Schema.KeyNames!.Select((name, i) => (name, id: i + 1L)).Where(k => !string.IsNullOrEmpty(k.name)).ToList();
            expectedKeys = named.Select(k => k.name).ToList();
            expectedIds = named.Select(k => k.id).ToList();
            expectedFallback = 0;
        }
        if (!keys.SequenceEqual(expectedKeys, StringComparer.Ordinal) || !ids.SequenceEqual(expectedIds) || fallback != expectedFallback)
            throw Bad(NodeName(lookup), $"looks up {keys.Count} tokens ({Preview(keys)}) with unknown id {fallback}; the metadata's {(_description.Schema.Featurizer is null ? "key names" : "vocabulary")} " +
                $"gives {expectedKeys.Count} ({Preview(expectedKeys)}) with unknown id {expectedFallback}. They must agree.");
    }

    // ---- Helpers ----

    private static string RawOutput(SequenceNetworkSpec spec) => spec.Task switch
    {
        SequenceTask.BinaryClassification => OnnxModelContract.Logit,
        SequenceTask.Regression => OnnxModelContract.Values,
        _ => OnnxModelContract.Logits,
    };

    /// <summary>The node of the main graph that writes <paramref name="output"/>; it must be an <paramref name="op"/> node.</summary>
    private NodeProto Producer(string output, string op)
    {
        if (!_producers.TryGetValue(output, out var node))
            throw Bad(output, $"is not written by any node; an export computes it with {op}.");
        if (node.OpType != op)
            throw Bad(NodeName(node), $"writes '{output}' with {Short(node.OpType)}; an export computes it with {op}.");
        return node;
    }

    private void RequireReads(NodeProto node, string input)
    {
        if (node.Input.Count == 0 || node.Input[0] != input)
            throw Bad(NodeName(node), $"{node.OpType} node reads {Preview(node.Input)}; in an export it reads '{input}'.");
    }

    private bool IsHalf(string name) =>
        _initializers.TryGetValue(name, out var t) && (DataType)t.DataType == DataType.Float && t.Dims.Count == 0
        && OnnxTensor.FromProto(t).Floats is [0.5f];

    private static AttributeProto? Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    private static long IntAttribute(NodeProto node, string name, long fallback) => Attribute(node, name)?.I ?? fallback;

    private static IEnumerable<NodeProto> AllNodes(GraphProto graph) =>
        graph.Node.Concat(graph.Node.SelectMany(n => n.Attribute).SelectMany(a => (a.G is null ? a.Graphs : a.Graphs.Prepend(a.G)).SelectMany(AllNodes)));

    private static string NodeName(NodeProto node) => node.Name.Length > 0 ? Short(node.Name) : $"({node.OpType} node writing '{Short(node.Output.FirstOrDefault() ?? "")}')";

    private static string Short(string text) => OnnxModelFile.Short(text);

    private static string Preview(IEnumerable<string> items)
    {
        var list = items.ToList();
        return "[" + string.Join(", ", list.Take(6).Select(i => $"'{Short(i)}'")) + (list.Count > 6 ? $", ... ({list.Count})" : "") + "]";
    }

    private ModelFileException Bad(string? entry, string problem, Exception? inner = null) => new(_origin, entry, problem, inner);
}
