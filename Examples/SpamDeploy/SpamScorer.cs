using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlNetRnn.Examples.Mail;

namespace MlNetRnn.Examples.SpamDeploy;

/// <summary>
/// The exported spam model (spam.onnx, written by Examples/Spam) in ONNX Runtime, used the way any application can:
/// its input "Text" takes the raw text [batch, 1] (the tokenizer and vocabulary are inside the graph), its outputs
/// "PredictedLabel" (bool [batch]) and "Probability" (float [batch], P(spam)) are read. The text must be what the model
/// was trained on: <see cref="MailTextExtractor"/>'s text of the raw mail, with the options the model's description
/// names (<see cref="TextOptions"/>, read by <see cref="MailTextOptions.FromModelDescription"/>).
/// </summary>
public sealed class SpamScorer : IDisposable
{
    public const string TextInput = "Text";
    public const string LabelOutput = "PredictedLabel";
    public const string ProbabilityOutput = "Probability";

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();

    private SpamScorer(InferenceSession session, MailTextOptions textOptions)
    {
        _session = session;
        TextOptions = textOptions;
    }

    /// <summary>How mails are turned into text for this model (read from its description).</summary>
    public MailTextOptions TextOptions { get; }

    /// <summary>Texts per ONNX Runtime call.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Opens the model and checks that it is a raw-text spam model trained on extracted mail text.</summary>
    /// <exception cref="InvalidDataException">the file is not such a model; the message says what is missing.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot load the file (missing, not ONNX).</exception>
    public static SpamScorer Load(string modelPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"no model at {Path.GetFullPath(modelPath)}; export one with Examples/Spam (it writes spam.onnx)", modelPath);
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        var session = new InferenceSession(modelPath, options);
        try
        {
            if (!session.InputMetadata.TryGetValue(TextInput, out var input) || input.ElementDataType != TensorElementType.String)
                throw new InvalidDataException($"{modelPath} takes no string input '{TextInput}': export the model with raw-text input (the default for text models)");
            foreach (var output in new[] { LabelOutput, ProbabilityOutput })
            {
                if (!session.OutputMetadata.ContainsKey(output))
                    throw new InvalidDataException($"{modelPath} has no output '{output}': it is not a binary classifier exported by MlNetRnn");
            }
            return new SpamScorer(session, MailTextOptions.FromModelDescription(session.ModelMetadata.Description));
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Scores mail texts: <see cref="MailText.ModelText"/> of <see cref="MailTextExtractor.Extract(byte[], MailTextOptions?)"/>
    /// with <see cref="TextOptions"/>.</summary>
    public IReadOnlyList<SpamScore> Score(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var scores = new SpamScore[texts.Count];
        for (var start = 0; start < texts.Count; start += BatchSize)
        {
            var count = Math.Min(BatchSize, texts.Count - start);
            using var text = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, [count, 1]);   // [batch, 1]
            for (var i = 0; i < count; i++)
                text.StringTensorSetElementAt(texts[start + i].AsSpan(), i);
            using var outputs = _session.Run(_runOptions, [TextInput], [text], [LabelOutput, ProbabilityOutput]);
            var labels = outputs[0].GetTensorDataAsSpan<bool>();            // [batch]
            var probabilities = outputs[1].GetTensorDataAsSpan<float>();    // [batch]
            for (var i = 0; i < count; i++)
                scores[start + i] = new SpamScore(labels[i], probabilities[i]);
        }
        return scores;
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }
}
