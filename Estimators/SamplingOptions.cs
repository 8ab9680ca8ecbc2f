namespace MlNetRnn;

/// <summary>
/// How <see cref="SequenceModel.Generate(string, int, SamplingOptions)"/> picks each next token (see
/// <see cref="TokenSampler"/>): the softmax of the logits divided by <see cref="Temperature"/>, cut to the
/// <see cref="TopK"/> most likely tokens, then to the smallest set of those whose probability reaches
/// <see cref="TopP"/> (nucleus sampling), renormalized, and drawn from with a generator seeded by <see cref="Seed"/>.
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>Divides the logits: below 1 sharpens, above 1 flattens; 0 picks the most likely token (greedy). Default 1.</summary>
    public float Temperature { get; init; } = 1f;

    /// <summary>Keep only the k most likely tokens; 0 (default) keeps all. 1 is greedy.</summary>
    public int TopK { get; init; }

    /// <summary>Keep the smallest set of the most likely tokens whose probability reaches this, in (0, 1]; 1 (default) keeps all.</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>Seeds the draws: the same seed, prefix and model give the same text. Default 1.</summary>
    public int Seed { get; init; } = 1;

    public void Validate()
    {
        if (!(Temperature >= 0f) || float.IsInfinity(Temperature))
            throw new ArgumentException($"Temperature must be finite and >= 0 (0 = greedy), got {Temperature}.", nameof(Temperature));
        if (TopK < 0)
            throw new ArgumentException($"TopK must be >= 0 (0 = every token), got {TopK}.", nameof(TopK));
        if (!(TopP > 0f && TopP <= 1f))
            throw new ArgumentException($"TopP must be in (0, 1] (1 = every token), got {TopP}.", nameof(TopP));
    }
}
