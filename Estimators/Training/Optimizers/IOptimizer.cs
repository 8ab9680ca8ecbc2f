using MlNetRnn.Network;

namespace MlNetRnn.Training.Optimizers;

/// <summary>An update rule over a flat parameter buffer, with state that a checkpoint can save and restore.</summary>
public interface IOptimizer
{
    /// <summary>Updates the values from the gradients with the given learning rate.</summary>
    void Step(ParameterSet parameters, float learningRate);

    /// <summary>Steps taken so far.</summary>
    long Steps { get; }

    /// <summary>Named state buffers (moments, velocity), each as long as the parameter buffer.</summary>
    IReadOnlyDictionary<string, float[]> State { get; }

    /// <summary>Restores the state saved from an optimizer of the same kind and size.</summary>
    void Restore(long steps, IReadOnlyDictionary<string, float[]> state);
}
