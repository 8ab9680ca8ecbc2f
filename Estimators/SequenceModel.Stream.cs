using MlNetRnn.Kernels;

namespace MlNetRnn;

public sealed partial class SequenceModel
{
    /// <summary>
    /// A stateful run over <paramref name="batch"/> sequences fed in pieces (see <see cref="SequenceStream"/>): every
    /// model kind and read-out streams, except bidirectional models. Dispose it when done (it owns a kernel).
    /// <code>
    /// using var stream = model.CreateStream();
    /// foreach (var reading in sensor)              // a dense model: D features per step
    ///     Console.WriteLine(stream.Feed(reading).Prediction().PredictedLabel);
    /// </code>
    /// </summary>
    /// <exception cref="NotSupportedException">The model is bidirectional.</exception>
    public SequenceStream CreateStream(int batch = 1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (batch <= 0)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, "A stream runs at least one sequence.");
        if (Spec.Bidirectional)
            throw new NotSupportedException("A bidirectional model cannot stream: its reverse direction reads each sequence from its last step back, " +
                "so no output exists before the whole sequence has arrived. Score whole sequences with Predict, or train a forward-only model (Bidirectional = false) to stream.");
        return new SequenceStream(this, KernelFactory.Create(_kernelKind, _threads), batch);
    }
}
