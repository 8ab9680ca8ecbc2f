using Microsoft.ML.Data;

namespace MlNetRnn.MLNet.Tests;

public sealed class Mail
{
    public string Text { get; set; } = "";

    public bool Label { get; set; }
}

public sealed class SpamPrediction
{
    public bool PredictedLabel { get; set; }

    public float Score { get; set; }

    public float Probability { get; set; }
}

public sealed class TokenRow
{
    public string[] Tokens { get; set; } = [];

    public string Label { get; set; } = "";
}

public sealed class SeriesRow
{
    public float[] Series { get; set; } = [];

    public float Label { get; set; }
}

public sealed class MulticlassPrediction
{
    public uint PredictedLabel { get; set; }

    public float[] Score { get; set; } = [];
}
