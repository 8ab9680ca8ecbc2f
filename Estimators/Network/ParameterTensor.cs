namespace MlNetRnn.Network;

/// <summary>A named view into a <see cref="ParameterSet"/>: its shape, offset and length in the flat buffers.</summary>
public sealed class ParameterTensor
{
    internal ParameterTensor(ParameterSet owner, string name, int[] shape, int offset)
    {
        Owner = owner;
        Name = name;
        Shape = shape;
        Offset = offset;
        Length = shape.Aggregate(1, (a, b) => checked(a * b));
    }

    public ParameterSet Owner { get; }

    /// <summary>Dotted name, e.g. "rnn.0.W", unique in its set.</summary>
    public string Name { get; }

    public IReadOnlyList<int> Shape { get; }

    public int Offset { get; }

    public int Length { get; }

    public Span<float> Values => Owner.Values.AsSpan(Offset, Length);

    public Span<float> Gradients => Owner.Gradients.AsSpan(Offset, Length);

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    public override string ToString() => $"{Name} {ShapeText}";
}
