namespace MlNetRnn.Training;

/// <summary>
/// A data set in the network's terms: each sequence as token ids or dense values with its length, and its targets as
/// class indices (per sequence or per step) or values. Built by <see cref="DataEncoder"/>.
/// </summary>
internal sealed class EncodedData
{
    public required int Count { get; init; }

    /// <summary>Steps per sequence.</summary>
    public required int[] Lengths { get; init; }

    /// <summary>Token ids per sequence (token input), else null.</summary>
    public int[][]? Tokens { get; init; }

    /// <summary>T*D values per sequence (dense input), else null.</summary>
    public float[][]? Features { get; init; }

    /// <summary>D for dense input.</summary>
    public int FeatureWidth { get; init; }

    /// <summary>Class index per sequence, or null.</summary>
    public int[]? Classes { get; init; }

    /// <summary>Class index per step, or null.</summary>
    public int[][]? StepClasses { get; init; }

    /// <summary>K values per sequence, or K values per step (T*K) when <see cref="ValuesPerStep"/>.</summary>
    public float[][]? Values { get; init; }

    public bool ValuesPerStep { get; init; }

    /// <summary>
    /// Text with targets per word (<see cref="StepAlignment.Words"/>): the steps that carry the targets and are read
    /// for predictions, each word's last token, in order; the per-step targets above are laid out over every step, -1
    /// (classes) or NaN (values) on the others. Null: every step carries one (a text without tokens: its one unknown
    /// token carries -1 or NaN).
    /// </summary>
    public int[][]? TargetSteps { get; init; }

    /// <summary>The class targets of sequence i at its target steps.</summary>
    public int[] StepTargetsOf(int i) => TargetSteps is null ? StepClasses![i] : TargetSteps[i].Select(t => StepClasses![i][t]).ToArray();

    /// <summary>The value targets of sequence i at its target steps (per-step values), or its K values.</summary>
    public float[] ValueTargetsOf(int i, int valueCount) => TargetSteps is null || !ValuesPerStep ? Values![i]
        : TargetSteps[i].SelectMany(t => Values![i].AsSpan(t * valueCount, valueCount).ToArray()).ToArray();

    public bool HasTargets => Classes is not null || StepClasses is not null || Values is not null;
}
