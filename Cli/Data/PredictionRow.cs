namespace MlNetRnn.Cli.Data;

/// <summary>One input of `predict`: its line in the file and its sequence (as the model reads it), or why it was rejected.</summary>
internal sealed record PredictionRow(int Line, string? Text, int[]? Tokens, float[]? Features, string? Error);
