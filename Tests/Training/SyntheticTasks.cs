using MlNetRnn.Training;

namespace MlNetRnn.Tests.Training;

/// <summary>Small generated data sets whose answers need memory, for training-loop tests.</summary>
internal static class SyntheticTasks
{
    public const int Marker = 9;

    /// <summary>
    /// Token sequences (ids 2..9, length 20..40) holding the marker exactly once: label "early" when it is within the
    /// first 4 steps, "late" when it is after step 12. A bag of words sees the same tokens in both classes.
    /// </summary>
    public static SequenceData MarkerPosition(int count, int seed)
    {
        var random = new SeededRandom((ulong)seed);
        var sequences = new int[count][];
        var labels = new string[count];
        for (var i = 0; i < count; i++)
        {
            var length = 20 + random.Next(21);
            var seq = new int[length];
            for (var t = 0; t < length; t++)
                seq[t] = 2 + random.Next(7);
            var early = i % 2 == 0;
            var position = early ? random.Next(4) : 13 + random.Next(length - 13);
            seq[position] = Marker;
            sequences[i] = seq;
            labels[i] = early ? "early" : "late";
        }
        return SequenceData.FromTokenIds(sequences, labels);
    }

    /// <summary>Dense sequences (2 features, length 5..12) labelled true when the running sum of feature 0 ends positive.</summary>
    public static SequenceData SignOfSum(int count, int seed)
    {
        var random = new SeededRandom((ulong)seed);
        var sequences = new float[count][];
        var labels = new bool[count];
        for (var i = 0; i < count; i++)
        {
            var length = 5 + random.Next(8);
            var seq = new float[length * 2];
            double sum = 0;
            for (var t = 0; t < length; t++)
            {
                seq[2 * t] = random.Uniform(-1f, 1f);
                seq[2 * t + 1] = random.Uniform(-1f, 1f);
                sum += seq[2 * t];
            }
            sequences[i] = seq;
            labels[i] = sum > 0;
        }
        return SequenceData.FromFeatures(sequences, 2, labels);
    }
}
