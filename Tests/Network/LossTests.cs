using MlNetRnn.Network.Losses;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Network;

/// <summary>The softmax cross-entropy loss against its definition, evaluated in double precision here.</summary>
public class LossTests
{
    /// <summary>
    /// Per-step rows with padding (lengths 3 and 1 over 3 steps), an ignored target (-1), class weights, and logits
    /// far apart (1000 vs -1000: exp overflows without the max shift): value, weight and gradient as the definition
    /// gives them, loss = sum w[y] (logsumexp(z) - z[y]) / sum w[y], d = w[y] (softmax(z) - onehot(y)) / sum w[y].
    /// </summary>
    [Fact]
    public void SoftmaxCrossEntropyMatchesItsDefinition()
    {
        const int K = 4, T = 3, B = 2;
        float[] classWeights = [1f, 2f, 0.5f, 1.5f];
        var batch = new SequenceBatch
        {
            SeqLength = T, Batch = B, Lengths = [3, 1],
            // Rows are (t, b): t * B + b. Row 3 is (1, 1) and row 5 is (2, 1): past sequence 1's end.
            ClassTargets = [2, 0, -1, 3, 1, 1],
            Features = new float[T * B],
        };
        var random = new SeededRandom(12);
        var outputs = Enumerable.Range(0, T * B * K).Select(_ => random.Uniform(-3f, 3f)).ToArray();
        outputs[4 * K + 1] = 1000f;  // row 4 (t=2, b=0), its target: a huge margin
        outputs[4 * K + 2] = -1000f;
        var d = Enumerable.Repeat(float.NaN, T * B * K).ToArray();  // every element is written
        var value = new SoftmaxCrossEntropyLoss(K, perStep: true, classWeights).Compute(outputs, batch, d);

        double sum = 0, weight = 0;
        var expected = new double[T * B * K];
        var counted = new[] { 0, 1, 4 };  // rows with a target inside their sequence
        foreach (var n in counted)
        {
            var z = outputs.AsSpan(n * K, K).ToArray().Select(v => (double)v).ToArray();
            var max = z.Max();
            var logSum = max + Math.Log(z.Sum(v => Math.Exp(v - max)));
            var y = batch.ClassTargets[n];
            sum += classWeights[y] * (logSum - z[y]);
            weight += classWeights[y];
            for (var k = 0; k < K; k++)
                expected[n * K + k] = classWeights[y] * (Math.Exp(z[k] - logSum) - (k == y ? 1 : 0));
        }
        Assert.Equal(weight, value.Weight, 6);
        Assert.Equal(sum, value.Sum, 4);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] / weight - d[i]) <= 1e-6, $"d[{i}] = {d[i]}, expected {expected[i] / weight}");
    }

    [Fact]
    public void SoftmaxCrossEntropyNamesATargetOutsideTheClasses()
    {
        var batch = new SequenceBatch { SeqLength = 1, Batch = 2, Lengths = [1, 1], ClassTargets = [1, 3], Features = new float[2] };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new SoftmaxCrossEntropyLoss(3, perStep: false).Compute(new float[6], batch, new float[6]));
        Assert.Contains("Class target 3 is outside [0, 3)", error.Message);
    }
}
