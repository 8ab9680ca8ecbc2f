using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlNetRnn.Network;
using MlNetRnn.OnnxExport.Export;
using MlNetRnn.OnnxExport.Import;
using MlNetRnn.OnnxExport.Runtime;
using MlNetRnn.Training;

namespace MlNetRnn;

/// <summary>
/// Scores an exported MlNetRnn model in ONNX Runtime: text or sequences in, predictions out — the same
/// <see cref="SequencePrediction"/> records the native model gives. A raw-text graph gets the texts themselves (the
/// graph tokenizes them); otherwise the texts are tokenized with the vocabulary and settings in the file's metadata.
/// Either way inputs are batched by length. Safe to call from many threads at once.
/// </summary>
public sealed partial class OnnxSequencePredictor : IDisposable
{
    private readonly DataEncoder _encoder;

    private OnnxSequencePredictor(OnnxRuntimeSession session, SequenceNetworkSpec spec, SequenceModelSchema schema, SequenceModelOptions options, string path)
    {
        Session = session;
        Path = path;
        Spec = spec;
        Schema = schema;
        Options = options;
        _encoder = new DataEncoder(schema);
        TakesText = session.Session.InputMetadata.ContainsKey(OnnxModelContract.TextInput);
    }

    /// <summary>The file the model was loaded from.</summary>
    public string Path { get; }

    /// <summary>The graph takes the raw text (it holds the tokenizer); else token ids or features.</summary>
    public bool TakesText { get; }

    /// <summary>The ONNX Runtime session (provider, fallback reason, ORT's own <see cref="InferenceSession"/>).</summary>
    public OnnxRuntimeSession Session { get; }

    public SequenceNetworkSpec Spec { get; }

    public SequenceModelSchema Schema { get; }

    /// <summary>The options the model was trained with (from the file's metadata): its loss settings, among others.</summary>
    public SequenceModelOptions Options { get; }

    /// <summary>Sequences per ONNX Runtime call.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>
    /// Loads an MlNetRnn export. The file is read (at most <see cref="SequenceModelLimits.MaxOnnxFileBytes"/>) and verified
    /// before ONNX Runtime sees it, as <see cref="OnnxImporter"/> verifies it: its checksum, every tensor finite and of
    /// its stated size, its metadata as strictly as a model file's and against its graph. ONNX Runtime then gets exactly
    /// the model that was verified (parsed and written again, so no field this library does not know reaches it).
    /// A damaged file, one without MlNetRnn's metadata, or one ONNX Runtime refuses (its
    /// <see cref="OnnxRuntimeException"/> as the inner exception) throws <see cref="ModelFileException"/>.
    /// </summary>
    public static OnnxSequencePredictor Load(string path, OnnxSessionOptions? options = null)
    {
        var proto = OnnxModelFile.Parse(OnnxModelFile.ReadBytes(path), path);
        var description = OnnxImporter.VerifyExport(proto, path);
        var verified = proto.ToByteArray();
        OnnxRuntimeSession session;
        try
        {
            session = OnnxRuntimeSession.FromBytes(verified, path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelFileException(path, null, $"ONNX Runtime refused the model: {e.Message}", e);
        }
        try
        {
            return new OnnxSequencePredictor(session, description.Spec, description.Schema, description.Options, path);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public SequencePrediction Predict(string text) => Predict(SequenceData.FromTexts([text]))[0];

    public IReadOnlyList<SequencePrediction> Predict(SequenceData data)
    {
        var results = new SequencePrediction[data.Count];
        var (batches, targetSteps) = Batches(data);
        foreach (var batch in batches)
        {
            var outputs = Run(batch, TextsOf(data, batch), out _, out var lengths);
            Decode(outputs, batch, lengths, targetSteps, results);
        }
        return results;
    }

    // The batch's predictions into results. A per-step text model aligned by words (targetSteps: each word's last token)
    // predicts one row per word: the graph gives a row per token, read at the words' last tokens as the native model does.
    private void Decode(float[] outputs, SequenceBatch batch, int[] lengths, int[][]? targetSteps, SequencePrediction[] results)
    {
        for (var b = 0; b < batch.Batch; b++)
        {
            var prediction = SequencePredictionDecoder.Decode(Schema, Spec, outputs, batch.Batch, lengths, b);
            var i = batch.ExampleIndices![b];
            results[i] = targetSteps is null ? prediction : SequencePredictionDecoder.AtSteps(prediction, targetSteps[i], Spec.OutputSize);
        }
    }

    /// <summary>Sequence-level models: the read-out vector of every sequence (the "encoding" output).</summary>
    public IReadOnlyList<float[]> Encode(SequenceData data)
    {
        if (Spec.PerStep)
            throw new InvalidOperationException($"A {Spec.Task} model predicts per step and has no '{OnnxModelContract.Encoding}' output.");
        var results = new float[data.Count][];
        var F = Spec.FeatureSize;
        foreach (var batch in Batches(data).Batches)
        {
            Run(batch, TextsOf(data, batch), out var encoding, out _);
            for (var b = 0; b < batch.Batch; b++)
                results[batch.ExampleIndices![b]] = encoding.AsSpan(b * F, F).ToArray();
        }
        return results;
    }

    // Batches of similar lengths, encoded as the native model encodes them, and the encoding's target steps (a
    // word-aligned text model's words' last tokens). A raw-text graph over ML.NET key names (no featurizer here to
    // measure the texts with) gets the texts in order; the graph computes their lengths itself.
    private (IEnumerable<SequenceBatch> Batches, int[][]? TargetSteps) Batches(SequenceData data)
    {
        if (TakesText && Schema.Featurizer is null)
            return (TextBatches(data), null);
        var encoded = _encoder.Encode(data, requireTargets: false);
        return (EncodedBatches(encoded), encoded.TargetSteps);
    }

    private IEnumerable<SequenceBatch> TextBatches(SequenceData data)
    {
        var texts = data.Texts ?? throw new ArgumentException(
            $"This ONNX graph takes the raw text ('{OnnxModelContract.TextInput}'), got {data.InputKind}; pass texts (SequenceData.FromTexts).", nameof(data));
        for (var start = 0; start < texts.Count; start += BatchSize)
        {
            var count = Math.Min(BatchSize, texts.Count - start);
            yield return new SequenceBatch
            {
                SeqLength = 1, Batch = count, Lengths = Enumerable.Repeat(1, count).ToArray(),
                ExampleIndices = Enumerable.Range(start, count).ToArray(),
            };
        }
    }

    private IEnumerable<SequenceBatch> EncodedBatches(EncodedData encoded) =>
        SequenceBatcher.Plan(Enumerable.Range(0, encoded.Count).ToArray(), encoded.Lengths, BatchSize, bucket: true, random: null)
            .Select(indices => SequenceBatcher.Gather(encoded, indices));

    private string[]? TextsOf(SequenceData data, SequenceBatch batch)
    {
        if (!TakesText)
            return null;
        if (data.Texts is not { } texts)
            throw new ArgumentException($"This ONNX graph takes the raw text ('{OnnxModelContract.TextInput}'), got {data.InputKind}; pass texts " +
                                        "(SequenceData.FromTexts), or export with TextInput = OnnxTextInput.TokenIds to score token ids.", nameof(data));
        return batch.ExampleIndices!.Select(i => texts[i]).ToArray();
    }

    /// <summary>Runs one batch (the encoded batch, or its texts for a raw-text graph); returns the head outputs
    /// time-major ([B, K] or [T, B, K]) and the lengths the graph ran.</summary>
    private float[] Run(SequenceBatch batch, string[]? texts, out float[] encoding, out int[] lengths)
    {
        int T = batch.SeqLength, B = batch.Batch;
        var names = new List<string>();
        var values = new List<OrtValue>();
        lengths = batch.Lengths;
        try
        {
            if (texts is not null)
            {
                var text = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, [B, 1]);
                for (var b = 0; b < B; b++)
                    text.StringTensorSetElementAt(texts[b].AsSpan(), b);
                Add(OnnxModelContract.TextInput, text);
            }
            else if (batch.Tokens is { } tokens)
            {
                var ids = new long[B * T];
                for (var t = 0; t < T; t++)
                    for (var b = 0; b < B; b++)
                        ids[b * T + t] = tokens[t * B + b];
                Add(OnnxModelContract.TokenInput, OrtValue.CreateTensorValueFromMemory(ids, [B, T]));
            }
            else
            {
                var D = Spec.InputWidth;
                var features = new float[B * T * D];
                for (var t = 0; t < T; t++)
                    for (var b = 0; b < B; b++)
                        batch.Features.AsSpan((t * B + b) * D, D).CopyTo(features.AsSpan((b * T + t) * D, D));
                Add(OnnxModelContract.DenseInput, OrtValue.CreateTensorValueFromMemory(features, [B, T, D]));
            }
            if (texts is null)
                Add(OnnxModelContract.SequenceLengths, OrtValue.CreateTensorValueFromMemory(batch.Lengths, [B]));
            if (Session.Session.InputMetadata.ContainsKey(OnnxModelContract.InitialH(0)))
            {
                long[] stateShape = [Spec.NumDirections, B, Spec.HiddenSize];
                for (var l = 0; l < Spec.Layers; l++)
                {
                    Add(OnnxModelContract.InitialH(l), OrtValue.CreateTensorValueFromMemory(new float[Spec.NumDirections * B * Spec.HiddenSize], stateShape));
                    if (Spec.Cell == RecurrentCell.Lstm)
                        Add(OnnxModelContract.InitialC(l), OrtValue.CreateTensorValueFromMemory(new float[Spec.NumDirections * B * Spec.HiddenSize], stateShape));
                }
            }
            var raw = Spec.Task switch
            {
                SequenceTask.BinaryClassification => OnnxModelContract.Logit,
                SequenceTask.Regression => OnnxModelContract.Values,
                _ => OnnxModelContract.Logits,
            };
            string[] outputNames = Spec.PerStep
                ? texts is null ? [raw] : [raw, OnnxModelContract.SequenceLengths]
                : [raw, OnnxModelContract.Encoding];
            using var runOptions = new RunOptions();
            IDisposableReadOnlyCollection<OrtValue> results;
            try
            {
                results = Session.Session.Run(runOptions, names, values, outputNames);
            }
            catch (OnnxRuntimeException e)
            {
                throw new ModelFileException(Path, null, $"ONNX Runtime could not run the graph on a batch of {B} sequence(s): {e.Message}", e);
            }
            using var _ = results;
            var K = Spec.OutputSize;
            if (!Spec.PerStep)
            {
                encoding = Output(results[1], OnnxModelContract.Encoding, TensorElementType.Float, B, Spec.FeatureSize).GetTensorDataAsSpan<float>().ToArray();
                return Output(results[0], raw, TensorElementType.Float, B, K).GetTensorDataAsSpan<float>().ToArray();
            }
            encoding = [];
            if (texts is not null)
            {
                // The graph tokenized the texts; its lengths and padded length are the ones the output has.
                var shape = results[0].IsTensor ? results[0].GetTensorTypeAndShape().Shape : [];
                T = shape is [_, var steps, _] && steps is >= 1 and <= int.MaxValue ? (int)steps : 0;
                lengths = Output(results[1], OnnxModelContract.SequenceLengths, TensorElementType.Int32, B).GetTensorDataAsSpan<int>().ToArray();
                if (lengths.Any(n => n < 1 || n > T))
                    throw new ModelFileException(Path, OnnxModelContract.SequenceLengths, $"holds the lengths [{string.Join(", ", lengths)}] for {T} steps; each must be in [1, {T}].");
            }
            var output = Output(results[0], raw, TensorElementType.Float, B, T, K).GetTensorDataAsSpan<float>();
            // [B, T, K] -> [T, B, K]
            var timeMajor = new float[T * B * K];
            for (var b = 0; b < B; b++)
                for (var t = 0; t < T; t++)
                    output.Slice((b * T + t) * K, K).CopyTo(timeMajor.AsSpan((t * B + b) * K, K));
            return timeMajor;
        }
        finally
        {
            foreach (var value in values)
                value.Dispose();
        }

        void Add(string name, OrtValue value)
        {
            names.Add(name);
            values.Add(value);
        }
    }

    /// <summary>An output of the graph, checked against the element type and shape the contract gives it.</summary>
    private OrtValue Output(OrtValue value, string name, TensorElementType type, params long[] shape)
    {
        if (!value.IsTensor)
            throw new ModelFileException(Path, name, $"came out of the graph as a non-tensor; the contract gives {type} [{string.Join(", ", shape)}] for this batch.");
        var info = value.GetTensorTypeAndShape();
        if (info.ElementDataType != type || !info.Shape.SequenceEqual(shape))
            throw new ModelFileException(Path, name, $"came out of the graph as {info.ElementDataType} [{string.Join(", ", info.Shape)}]; " +
                $"the contract gives {type} [{string.Join(", ", shape)}] for this batch.");
        return value;
    }

    public void Dispose() => Session.Dispose();
}
