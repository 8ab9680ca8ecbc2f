using MlNetRnn.Kernels;
using MlNetRnn.Training;

namespace MlNetRnn.Network;

/// <summary>
/// Keras-style initialisation: Glorot-uniform input weights (per gate block), orthogonal recurrent weights (per gate
/// block), zero biases except the LSTM forget gate's input bias (1, Keras unit_forget_bias), zero LSTM peepholes (the
/// layer starts as an LSTM without them; their gradient does not depend on them, so they train from there),
/// embeddings uniform in [-0.05, 0.05], Glorot-uniform head.
/// </summary>
public static class Initializer
{
    public static void Initialize(SequenceNetworkSpec spec, ParameterSet parameters, SeededRandom random)
    {
        Array.Clear(parameters.Values);
        if (spec.InputKind == SequenceInputKind.Tokens)
        {
            var table = parameters[SequenceNetwork.EmbeddingName].Values;
            for (var i = 0; i < table.Length; i++)
                table[i] = random.Uniform(-0.05f, 0.05f);
        }
        for (var l = 0; l < spec.Layers; l++)
        {
            var d = spec.LayerDescriptor(l);
            int G = d.GateCount, H = d.HiddenSize, I = d.InputSize;
            var w = parameters[SequenceNetwork.WeightName(l)].Values;
            var r = parameters[SequenceNetwork.RecurrenceName(l)].Values;
            var bias = parameters[SequenceNetwork.BiasName(l)].Values;
            for (var dir = 0; dir < d.NumDirections; dir++)
            {
                for (var g = 0; g < G; g++)
                {
                    GlorotUniform(w.Slice((dir * G + g) * H * I, H * I), fanIn: I, fanOut: H, random);
                    Orthogonal(r.Slice((dir * G + g) * H * H, H * H), H, random);
                }
                if (spec.Cell == RecurrentCell.Lstm)
                    bias.Slice(dir * 2 * G * H + 2 * H, H).Fill(1f);   // Wb of gate f (order i, o, f, c)
            }
        }
        GlorotUniform(parameters[SequenceNetwork.HeadWeightName].Values, spec.FeatureSize, spec.OutputSize, random);
    }

    /// <summary>Uniform in +-sqrt(6 / (fanIn + fanOut)).</summary>
    public static void GlorotUniform(Span<float> values, int fanIn, int fanOut, SeededRandom random)
    {
        var limit = MathF.Sqrt(6f / (fanIn + fanOut));
        for (var i = 0; i < values.Length; i++)
            values[i] = random.Uniform(-limit, limit);
    }

    /// <summary>An n x n orthogonal matrix: Gram-Schmidt (twice, for stability) on a Gaussian matrix, row-major.</summary>
    public static void Orthogonal(Span<float> values, int n, SeededRandom random)
    {
        var q = new double[n * n];
        for (var i = 0; i < q.Length; i++)
            q[i] = random.NextGaussian();
        for (var i = 0; i < n; i++)
        {
            var row = q.AsSpan(i * n, n);
            for (var pass = 0; pass < 2; pass++)
            {
                for (var j = 0; j < i; j++)
                {
                    var other = q.AsSpan(j * n, n);
                    double dot = 0;
                    for (var k = 0; k < n; k++)
                        dot += row[k] * other[k];
                    for (var k = 0; k < n; k++)
                        row[k] -= dot * other[k];
                }
            }
            double norm = 0;
            for (var k = 0; k < n; k++)
                norm += row[k] * row[k];
            norm = Math.Sqrt(norm);
            for (var k = 0; k < n; k++)
                row[k] /= norm;
        }
        for (var i = 0; i < q.Length; i++)
            values[i] = (float)q[i];
    }
}
