namespace MlNetRnn.OnnxExport.Export;

/// <summary>
/// What an exported MlNetRnn model promises a scorer: its input and output names and the metadata keys it carries.
/// Inputs are batch-major with dynamic axes "batch" and "sequence"; sequence_lens holds real lengths, each >= 1
/// (ONNX Runtime returns zeros for a zero-length sequence).
/// </summary>
public static class OnnxModelContract
{
    /// <summary>Token models: int64 [batch, sequence].</summary>
    public const string TokenInput = "input_ids";

    /// <summary>Dense models: float [batch, sequence, features].</summary>
    public const string DenseInput = "features";

    /// <summary>int32 [batch].</summary>
    public const string SequenceLengths = "sequence_lens";

    /// <summary>Binary: [batch, 1]. Other classifiers: [batch, K] (per step [batch, sequence, K]).</summary>
    public const string Logit = "logit";
    public const string Logits = "logits";
    public const string Probability = "probability";
    public const string Probabilities = "probabilities";

    /// <summary>Regression: [batch, K] or per step [batch, sequence, K].</summary>
    public const string Values = "values";

    /// <summary>Sequence-level models: the read-out vector [batch, D*H] (last state or pooled outputs).</summary>
    public const string Encoding = "encoding";

    /// <summary>Language models: per layer l, state inputs [1, batch, H] (feed zeros to start) and outputs.</summary>
    public static string InitialH(int layer) => $"initial_h_{layer}";
    public static string InitialC(int layer) => $"initial_c_{layer}";
    public static string FinalH(int layer) => $"final_h_{layer}";
    public static string FinalC(int layer) => $"final_c_{layer}";

    public const string MetadataPrefix = "mlnetrnn.";

    /// <summary>Version of the metadata layout below; the importer and predictor refuse newer ones.</summary>
    public const string FormatKey = "mlnetrnn.format";
    public const int FormatVersion = 1;

    public const string SpecKey = "mlnetrnn.spec";
    public const string SchemaKey = "mlnetrnn.schema";
    public const string OptionsKey = "mlnetrnn.options";
    public const string TaskKey = "mlnetrnn.task";
    public const string InputKindKey = "mlnetrnn.input";
    public const string FeatureWidthKey = "mlnetrnn.feature_width";
    public const string VocabularyKey = "mlnetrnn.vocabulary";
    public const string TokenizerKey = "mlnetrnn.tokenizer";
    public const string LabelsKey = "mlnetrnn.labels";
    public const string OutputsKey = "mlnetrnn.outputs";

    public const string ProducerName = "MlNetRnn";
}
