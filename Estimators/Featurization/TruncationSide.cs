namespace MlNetRnn;

/// <summary>Which tokens a sequence longer than the maximum length keeps.</summary>
public enum TruncationSide
{
    /// <summary>Keep the first MaxLength tokens (the start of a mail: subject and opening).</summary>
    KeepStart = 0,

    /// <summary>Keep the last MaxLength tokens.</summary>
    KeepEnd = 1,
}
