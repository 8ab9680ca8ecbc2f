namespace MlNetRnn;

/// <summary>What a text model's exported graph takes.</summary>
public enum OnnxTextInput
{
    /// <summary>The raw text: a string input "Text" [batch, 1]; the tokenizer, vocabulary and truncation are in the graph.
    /// Needs the Words tokenizer (version 2) and opset 20 or later.</summary>
    Text = 0,

    /// <summary>Token ids (int64 "input_ids" [batch, sequence]) and their lengths (int32 "sequence_lens" [batch]),
    /// tokenized by the caller (TextFeaturizer.EncodeSequence); any opset from 14.</summary>
    TokenIds = 1,
}

/// <summary>How a model is exported.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The lowest opset the exporter writes (what ONNX Runtime 1.x and onnx 1.12 check).</summary>
    public const int MinimumOpset = 14;

    /// <summary>The highest opset the exporter knows the operators of.</summary>
    public const int MaximumOpset = 21;

    /// <summary>Opset; null (default) picks the lowest that holds the graph: 20 for a raw-text graph, else 14.</summary>
    public int? Opset { get; init; }

    /// <summary>Text models, and models trained on ML.NET key columns with key names: raw text in (default) or token
    /// ids in. Other models ignore it.</summary>
    public OnnxTextInput TextInput { get; init; } = OnnxTextInput.Text;

    /// <summary>Models trained on ML.NET key columns: the characters the pipeline's TokenizeIntoWords split the text on
    /// (its default: ' '), so that the raw-text graph finds the same words. Models with MlNetRnn's own tokenizer ignore it.</summary>
    public IReadOnlyList<char> Separators { get; init; } = [' '];

    /// <summary>
    /// Adds the recurrent state of every layer as inputs and outputs (initial_h_l / initial_c_l in, final_h_l /
    /// final_c_l out), so a caller can feed a sequence in pieces and carry the state between calls (streaming).
    /// Language models always have them; for others the default is false (the graph then starts from zero states).
    /// Bidirectional models and pooled read-outs (MaxPool, MeanPool) cannot stream and are refused.
    /// </summary>
    public bool StateInputs { get; init; }

    /// <summary>Optional text stored as the model's doc_string (a description for people).</summary>
    public string? Description { get; init; }

    public void Validate()
    {
        if (Opset is { } opset && opset is < MinimumOpset or > MaximumOpset)
            throw new ArgumentOutOfRangeException(nameof(Opset), opset, $"The exporter writes opsets {MinimumOpset} to {MaximumOpset}.");
        if (!Enum.IsDefined(TextInput))
            throw new ArgumentOutOfRangeException(nameof(TextInput), TextInput, "Expected Text or TokenIds.");
    }
}
