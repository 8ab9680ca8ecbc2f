namespace MlNetRnn.Examples.Datasets.Mime;

/// <summary>
/// The lines of a byte span without their terminators; "\n" and "\r\n" both end a line. A final line without a
/// terminator is returned; a terminator at the very end yields no extra empty line.
/// </summary>
public ref struct LineEnumerator
{
    private ReadOnlySpan<byte> remaining;

    public LineEnumerator(ReadOnlySpan<byte> text)
    {
        remaining = text;
        Current = default;
    }

    public ReadOnlySpan<byte> Current { get; private set; }

    public readonly LineEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (remaining.IsEmpty)
            return false;
        var newline = remaining.IndexOf((byte)'\n');
        if (newline < 0)
        {
            Current = remaining;
            remaining = default;
            return true;
        }
        var line = remaining[..newline];
        Current = line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;
        remaining = remaining[(newline + 1)..];
        return true;
    }
}
