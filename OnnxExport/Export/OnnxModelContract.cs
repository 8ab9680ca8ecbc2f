namespace MlNetRnn.OnnxExport.Export;

/// <summary>
/// What an exported MlNetRnn model promises a scorer: its input and output names and the metadata keys it carries.
/// Inputs are batch-major with dynamic axes "batch" and "sequence". A text model takes the raw text ("Text") unless it
/// was exported for token ids; then sequence_lens holds real lengths, each >= 1 (ONNX Runtime returns zeros for a
/// zero-length sequence). Outputs carry ML.NET's names (PredictedLabel, Score, Probability) beside the raw head output.
/// </summary>
public static class OnnxModelContract
{
    /// <summary>Raw-text models: string [batch, 1] (the shape ML.NET's ApplyOnnxModel feeds a text column as).</summary>
    public const string TextInput = "Text";

    /// <summary>ML.NET's output columns. Binary: PredictedLabel bool [batch] (the positive class, labels[1], when
    /// Probability >= 0.5), Score float [batch] (the logit), Probability float [batch]. Multiclass: PredictedLabel string
    /// [batch] (the class name), Score float [batch, K] (the class probabilities, in the order of the labels metadata).
    /// Regression: Score float [batch] (one value) or [batch, K]. Tagging: PredictedLabel string [batch, sequence], Score
    /// [batch, sequence, K]. Language model: Score [batch, sequence, V], the next-token probabilities.</summary>
    public const string PredictedLabel = "PredictedLabel";
    public const string Score = "Score";
    public const string ProbabilityOutput = "Probability";

    /// <summary>Token models: int64 [batch, sequence].</summary>
    public const string TokenInput = "input_ids";

    /// <summary>Dense models: float [batch, sequence, features].</summary>
    public const string DenseInput = "features";

    /// <summary>int32 [batch].</summary>
    public const string SequenceLengths = "sequence_lens";

    /// <summary>The raw head output. Binary: [batch, 1]. Other classifiers: [batch, K] (per step [batch, sequence, K]).</summary>
    public const string Logit = "logit";
    public const string Logits = "logits";

    /// <summary>Regression: [batch, K] or per step [batch, sequence, K].</summary>
    public const string Values = "values";

    /// <summary>Sequence-level models: the read-out vector [batch, D*H] (last state or pooled outputs).</summary>
    public const string Encoding = "encoding";

    /// <summary>Language models, and other models exported with StateInputs: per layer l, state inputs [1, batch, H]
    /// (feed zeros to start) and the states after the last valid step of each sequence.</summary>
    public static string InitialH(int layer) => $"initial_h_{layer}";
    public static string InitialC(int layer) => $"initial_c_{layer}";
    public static string FinalH(int layer) => $"final_h_{layer}";
    public static string FinalC(int layer) => $"final_c_{layer}";

    public const string MetadataPrefix = "mlnetrnn.";

    /// <summary>Version of the metadata layout below; the importer and predictor refuse newer ones.</summary>
    public const string FormatKey = "mlnetrnn.format";
    /// <summary>1: token ids in, raw outputs only. 2: raw text in (or ids), ML.NET's output names.</summary>
    public const int FormatVersion = 2;

    public const string SpecKey = "mlnetrnn.spec";
    public const string SchemaKey = "mlnetrnn.schema";
    public const string OptionsKey = "mlnetrnn.options";
    public const string TaskKey = "mlnetrnn.task";
    public const string InputKindKey = "mlnetrnn.input";
    public const string FeatureWidthKey = "mlnetrnn.feature_width";
    public const string VocabularyKey = "mlnetrnn.vocabulary";
    public const string TokenizerKey = "mlnetrnn.tokenizer";
    public const string LabelsKey = "mlnetrnn.labels";
    public const string KeyNamesKey = "mlnetrnn.key_names";
    public const string OutputsKey = "mlnetrnn.outputs";

    /// <summary>"sha256:" and the lower-case hex SHA-256 of the model without this entry (<see cref="Onnx.OnnxChecksum"/>):
    /// its graph (nodes, attributes, initializers, inputs, outputs), opsets and every other metadata entry. Written by
    /// this version; a reader refuses a file whose checksum does not match, and reads a file without one (an older
    /// export) when everything else checks out.</summary>
    public const string ChecksumKey = "mlnetrnn.checksum";

    /// <summary>Every metadata key of the layout; another key under <see cref="MetadataPrefix"/> is refused.</summary>
    public static readonly IReadOnlySet<string> MetadataKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        FormatKey, SpecKey, SchemaKey, OptionsKey, TaskKey, InputKindKey, FeatureWidthKey, VocabularyKey, TokenizerKey,
        LabelsKey, KeyNamesKey, OutputsKey, ChecksumKey,
    };

    public const string ProducerName = "MlNetRnn";
}
