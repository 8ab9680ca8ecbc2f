namespace MlNetRnn;

/// <summary>
/// What one <see cref="SequenceStream"/> Feed computed, for each of the B streams.
/// <list type="bullet">
/// <item>Per-step models (tagging, per-step regression, language models; Keras <c>return_sequences=True</c>):
/// <see cref="Outputs"/> has one row of K head outputs per step fed by this call.</item>
/// <item>Sequence models (binary, multiclass, regression with LastState, MaxPool or MeanPool; Keras
/// <c>return_sequences=False</c>): <see cref="Outputs"/> is the K head outputs for everything fed so far, the
/// prediction <see cref="SequenceModel.Predict(SequenceData)"/> would give the whole sequence.</item>
/// </list>
/// Head outputs are logits for classification and language models, values for regression; <see cref="Prediction"/>
/// decodes them as Predict does.
/// </summary>
public sealed class StreamOutput
{
    private readonly SequenceModel _model;
    private readonly float[] _outputs;   // per step [T, B, K]; per sequence [B, K]
    private readonly float[] _last;      // [B, K]: each stream's output at its last step so far (language models)
    private readonly int[] _steps;

    internal StreamOutput(SequenceModel model, int[] steps, float[] outputs, float[] last)
    {
        _model = model;
        _steps = steps;
        _outputs = outputs;
        _last = last;
    }

    /// <summary>B: streams.</summary>
    public int Batch => _steps.Length;

    /// <summary>K: head outputs per row.</summary>
    public int OutputSize => _model.Spec.OutputSize;

    /// <summary>[B] steps this call fed to each stream.</summary>
    public IReadOnlyList<int> Steps => _steps;

    /// <summary>
    /// Stream <paramref name="stream"/>'s head outputs: per-step models [steps, K] for the steps of this call (none
    /// where the call fed it none); sequence models [K] for the sequence so far.
    /// </summary>
    public float[] Outputs(int stream = 0)
    {
        CheckStream(stream);
        int K = OutputSize, B = Batch;
        if (!_model.Spec.PerStep)
            return _outputs.AsSpan(stream * K, K).ToArray();
        var rows = new float[_steps[stream] * K];
        for (var t = 0; t < _steps[stream]; t++)
            _outputs.AsSpan((t * B + stream) * K, K).CopyTo(rows.AsSpan(t * K, K));
        return rows;
    }

    /// <summary>
    /// Stream <paramref name="stream"/>'s outputs decoded: sequence models the prediction for the sequence so far;
    /// tagging the labels and per-step regression the values of this call's steps; a language model the distribution
    /// of the next token after the last step fed.
    /// </summary>
    public SequencePrediction Prediction(int stream = 0)
    {
        CheckStream(stream);
        var spec = _model.Spec;
        if (spec.Task == SequenceTask.LanguageModel)
            return SequencePredictionDecoder.Decode(_model.Schema, spec, _last.AsSpan(stream * spec.OutputSize, spec.OutputSize), 1, [1], 0);
        return SequencePredictionDecoder.Decode(_model.Schema, spec, _outputs, Batch, _steps, stream);
    }

    private void CheckStream(int stream)
    {
        if ((uint)stream >= (uint)Batch)
            throw new ArgumentOutOfRangeException(nameof(stream), stream, $"The stream has {Batch} sequence(s): 0 .. {Batch - 1}.");
    }
}
